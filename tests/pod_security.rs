//! The CronJob's pod (deploy/kubernetes/cronjob.yaml) meets the Pod Security Standards'
//! "restricted" profile: every control of the Baseline profile and every control the
//! Restricted profile adds, each checked by its own function (pod_security/controls.rs).
//! Each control has a negative test: the manifest changed to break that control fails it,
//! so the checker itself is proven.

mod controls;

use controls::{Pod, RESTRICTED, containers};

use crate::container_user::dockerfile_user;
use crate::supply_chain::yaml;

use std::path::PathBuf;

use serde_json::{Value, json};

fn manifest() -> Vec<Value> {
    yaml(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes/cronjob.yaml"))
}

fn cronjob_pod() -> Pod {
    let docs = manifest();
    let cronjob = docs.into_iter().find(|d| d["kind"] == "CronJob").unwrap();
    let template = &cronjob["spec"]["jobTemplate"]["spec"]["template"];
    Pod {
        metadata: template["metadata"].clone(),
        spec: template["spec"].clone(),
    }
}

fn violations(pod: &Pod) -> Vec<String> {
    RESTRICTED
        .iter()
        .filter_map(|(control, check)| check(pod).err().map(|e| format!("{control}: {e}")))
        .collect()
}

#[test]
fn the_cronjob_meets_every_control_of_the_restricted_profile() {
    assert_eq!(RESTRICTED.len(), 18, "12 Baseline controls and 6 Restricted ones");
    let pod = cronjob_pod();
    assert_eq!(violations(&pod), Vec::<String>::new());
    assert_eq!(containers(&pod).count(), 1);
}

/// IRSA's webhook adds a projected token volume, its mount and environment: the pod it
/// makes still meets the profile (a projected volume is an allowed type).
#[test]
fn the_pod_the_irsa_webhook_makes_still_meets_the_profile() {
    let mut pod = cronjob_pod();
    pod.spec["volumes"].as_array_mut().unwrap().push(json!({
        "name": "aws-iam-token",
        "projected": {"sources": [{"serviceAccountToken": {
            "audience": "sts.amazonaws.com", "expirationSeconds": 86400, "path": "token"}}]}
    }));
    let container = &mut pod.spec["containers"][0];
    container["volumeMounts"].as_array_mut().unwrap().push(json!({
        "name": "aws-iam-token", "mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount", "readOnly": true
    }));
    container["env"].as_array_mut().unwrap().push(json!({
        "name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
    }));
    assert_eq!(violations(&pod), Vec::<String>::new());
}

/// plinth never calls the Kubernetes API: neither the service account nor the pod mounts
/// a Kubernetes token; the pod runs as the image's user and group, and the IRSA token's
/// group is theirs.
#[test]
fn the_pod_mounts_no_kubernetes_token_and_runs_as_the_image_user() {
    let docs = manifest();
    let account = docs.iter().find(|d| d["kind"] == "ServiceAccount").unwrap();
    assert_eq!(account["automountServiceAccountToken"], json!(false));
    assert!(account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].is_string());
    let pod = cronjob_pod();
    assert_eq!(pod.spec["automountServiceAccountToken"], json!(false));
    assert_eq!(pod.spec["serviceAccountName"], account["metadata"]["name"]);
    let (uid, gid) = dockerfile_user();
    let sc = &pod.spec["securityContext"];
    assert_eq!(
        (sc["runAsUser"].as_u64(), sc["runAsGroup"].as_u64()),
        (Some(uid.into()), Some(gid.into()))
    );
    assert_eq!(sc["fsGroup"].as_u64(), Some(gid.into()));
    assert_eq!(
        pod.spec["containers"][0]["securityContext"]["readOnlyRootFilesystem"],
        json!(true)
    );
}

/// The control named `control` fails the pod `mutate` makes of the CronJob's.
fn broken_by(control: &str, mutate: impl FnOnce(&mut Pod)) {
    let mut pod = cronjob_pod();
    mutate(&mut pod);
    let (_, check) = RESTRICTED
        .iter()
        .find(|(c, _)| *c == control)
        .expect("a control of the list");
    assert!(check(&pod).is_err(), "{control} accepted the changed pod: {}", pod.spec);
}

fn first_container(pod: &mut Pod) -> &mut Value {
    &mut pod.spec["containers"][0]
}

macro_rules! negative {
    ($test:ident, $control:literal, $($mutate:expr),+ $(,)?) => {
        #[test]
        fn $test() {
            $( broken_by($control, $mutate); )+
        }
    };
}

negative!(host_process_is_refused, "HostProcess", |p: &mut Pod| {
    p.spec["securityContext"]["windowsOptions"]["hostProcess"] = json!(true);
});
negative!(
    host_namespaces_are_refused,
    "Host Namespaces",
    |p: &mut Pod| p.spec["hostNetwork"] = json!(true),
    |p: &mut Pod| p.spec["hostPID"] = json!(true),
    |p: &mut Pod| p.spec["hostIPC"] = json!(true),
);
negative!(
    privileged_containers_are_refused,
    "Privileged Containers",
    |p: &mut Pod| { first_container(p)["securityContext"]["privileged"] = json!(true) }
);
negative!(
    capabilities_beyond_the_default_set_are_refused,
    "Capabilities (baseline)",
    |p: &mut Pod| { first_container(p)["securityContext"]["capabilities"]["add"] = json!(["SYS_ADMIN"]) }
);
negative!(host_path_volumes_are_refused, "HostPath Volumes", |p: &mut Pod| {
    p.spec["volumes"][0] = json!({"name": "baseline", "hostPath": {"path": "/etc"}});
});
negative!(host_ports_are_refused, "Host Ports", |p: &mut Pod| {
    first_container(p)["ports"] = json!([{"containerPort": 8080, "hostPort": 8080}]);
});
negative!(
    host_probes_and_hooks_are_refused,
    "Host Probes / Lifecycle Hooks",
    |p: &mut Pod| first_container(p)["livenessProbe"] = json!({"httpGet": {"host": "169.254.169.254", "port": 80}}),
    |p: &mut Pod| first_container(p)["lifecycle"] = json!({"preStop": {"tcpSocket": {"host": "10.0.0.1", "port": 22}}}),
);
negative!(
    app_armor_overrides_are_refused,
    "AppArmor",
    |p: &mut Pod| first_container(p)["securityContext"]["appArmorProfile"] = json!({"type": "Unconfined"}),
    |p: &mut Pod| p.metadata["annotations"]["container.apparmor.security.beta.kubernetes.io/plinth"] =
        json!("unconfined"),
);
negative!(
    se_linux_options_are_refused,
    "SELinux",
    |p: &mut Pod| p.spec["securityContext"]["seLinuxOptions"] = json!({"type": "spc_t"}),
    |p: &mut Pod| first_container(p)["securityContext"]["seLinuxOptions"] = json!({"user": "system_u"}),
);
negative!(unmasked_proc_is_refused, "/proc Mount Type", |p: &mut Pod| {
    first_container(p)["securityContext"]["procMount"] = json!("Unmasked");
});
negative!(unconfined_seccomp_is_refused, "Seccomp (baseline)", |p: &mut Pod| {
    first_container(p)["securityContext"]["seccompProfile"] = json!({"type": "Unconfined"});
});
negative!(unsafe_sysctls_are_refused, "Sysctls", |p: &mut Pod| {
    p.spec["securityContext"]["sysctls"] = json!([{"name": "kernel.msgmax", "value": "65536"}]);
});
negative!(
    other_volume_types_are_refused,
    "Volume Types",
    |p: &mut Pod| p.spec["volumes"][0] = json!({"name": "baseline", "nfs": {"server": "nfs", "path": "/"}}),
    |p: &mut Pod| p.spec["volumes"][0] = json!({"name": "baseline", "gitRepo": {"repository": "x"}}),
);
negative!(
    privilege_escalation_is_refused,
    "Privilege Escalation",
    |p: &mut Pod| first_container(p)["securityContext"]["allowPrivilegeEscalation"] = json!(true),
    |p: &mut Pod| {
        first_container(p)["securityContext"]
            .as_object_mut()
            .unwrap()
            .remove("allowPrivilegeEscalation");
    },
);
negative!(
    running_as_root_is_refused,
    "Running as Non-root",
    |p: &mut Pod| p.spec["securityContext"]["runAsNonRoot"] = json!(false),
    |p: &mut Pod| {
        p.spec["securityContext"]
            .as_object_mut()
            .unwrap()
            .remove("runAsNonRoot");
    },
    |p: &mut Pod| first_container(p)["securityContext"]["runAsNonRoot"] = json!(false),
);
negative!(
    uid_zero_is_refused,
    "Running as Non-root user",
    |p: &mut Pod| p.spec["securityContext"]["runAsUser"] = json!(0),
    |p: &mut Pod| first_container(p)["securityContext"]["runAsUser"] = json!(0),
);
negative!(
    a_pod_without_seccomp_is_refused,
    "Seccomp (restricted)",
    |p: &mut Pod| {
        p.spec["securityContext"]
            .as_object_mut()
            .unwrap()
            .remove("seccompProfile");
    },
    |p: &mut Pod| first_container(p)["securityContext"]["seccompProfile"] = json!({"type": "Unconfined"}),
);
negative!(
    capabilities_not_dropped_are_refused,
    "Capabilities (restricted)",
    |p: &mut Pod| first_container(p)["securityContext"]["capabilities"] = json!({"drop": ["NET_RAW"]}),
    |p: &mut Pod| first_container(p)["securityContext"]["capabilities"]["add"] = json!(["CHOWN"]),
);

/// What the restricted profile allows, the checker allows too: it is no stricter than
/// the standard where the standard gives a choice.
#[test]
fn what_the_profile_allows_passes() {
    let mut pod = cronjob_pod();
    let c = first_container(&mut pod);
    c["securityContext"]["capabilities"]["add"] = json!(["NET_BIND_SERVICE"]);
    c["securityContext"]["seccompProfile"] = json!({"type": "Localhost", "localhostProfile": "plinth.json"});
    c["securityContext"]["appArmorProfile"] = json!({"type": "RuntimeDefault"});
    c["securityContext"]["seLinuxOptions"] = json!({"type": "container_t"});
    c["securityContext"]["procMount"] = json!("Default");
    c["ports"] = json!([{"containerPort": 8080, "hostPort": 0}]);
    pod.spec["securityContext"]["sysctls"] = json!([{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}]);
    pod.spec["volumes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "scratch", "emptyDir": {}}));
    assert_eq!(violations(&pod), Vec::<String>::new());
}
