//! The Pod Security Standards' "restricted" profile as one function per control over a
//! parsed pod spec: the Baseline controls and the ones Restricted adds, with the fields and
//! allowed values of the Kubernetes documentation ("Pod Security Standards", Profile
//! Details). Windows relaxations (`spec.os.name: windows`) are not applied: a pod is
//! checked as a Linux pod, the stricter reading.

use serde_json::{Value, json};

/// A pod template: its metadata (annotations) and its spec.
#[derive(Clone)]
pub(crate) struct Pod {
    pub(crate) metadata: Value,
    pub(crate) spec: Value,
}

pub(crate) type Control = fn(&Pod) -> Result<(), String>;

/// Every control, by the name the documentation gives it.
pub(crate) const RESTRICTED: &[(&str, Control)] = &[
    // Baseline
    ("HostProcess", host_process),
    ("Host Namespaces", host_namespaces),
    ("Privileged Containers", privileged_containers),
    ("Capabilities (baseline)", capabilities_baseline),
    ("HostPath Volumes", host_path_volumes),
    ("Host Ports", host_ports),
    ("Host Probes / Lifecycle Hooks", host_probes_and_lifecycle_hooks),
    ("AppArmor", app_armor),
    ("SELinux", se_linux),
    ("/proc Mount Type", proc_mount_type),
    ("Seccomp (baseline)", seccomp_baseline),
    ("Sysctls", sysctls),
    // Restricted
    ("Volume Types", volume_types),
    ("Privilege Escalation", privilege_escalation),
    ("Running as Non-root", running_as_non_root),
    ("Running as Non-root user", running_as_non_root_user),
    ("Seccomp (restricted)", seccomp_restricted),
    ("Capabilities (restricted)", capabilities_restricted),
];

/// Every container of the pod: `containers`, `initContainers`, `ephemeralContainers`.
pub(crate) fn containers(pod: &Pod) -> impl Iterator<Item = &Value> {
    ["containers", "initContainers", "ephemeralContainers"]
        .into_iter()
        .flat_map(|list| pod.spec[list].as_array().into_iter().flatten())
}

/// The pod's security context, then each container's, with a name for messages.
fn security_contexts(pod: &Pod) -> impl Iterator<Item = (String, &Value)> {
    std::iter::once(("the pod".to_owned(), &pod.spec["securityContext"])).chain(containers(pod).map(|c| {
        (
            format!("container `{}`", c["name"].as_str().unwrap_or("?")),
            &c["securityContext"],
        )
    }))
}

fn name(container: &Value) -> &str {
    container["name"].as_str().unwrap_or("?")
}

fn fail(errors: Vec<String>) -> Result<(), String> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

fn unset_or(v: &Value, allowed: &[Value]) -> bool {
    v.is_null() || allowed.contains(v)
}

fn host_process(pod: &Pod) -> Result<(), String> {
    fail(
        security_contexts(pod)
            .filter(|(_, sc)| !unset_or(&sc["windowsOptions"]["hostProcess"], &[json!(false)]))
            .map(|(who, _)| format!("{who} sets windowsOptions.hostProcess"))
            .collect(),
    )
}

fn host_namespaces(pod: &Pod) -> Result<(), String> {
    fail(
        ["hostNetwork", "hostPID", "hostIPC"]
            .into_iter()
            .filter(|f| !unset_or(&pod.spec[*f], &[json!(false)]))
            .map(|f| format!("spec.{f} is set"))
            .collect(),
    )
}

fn privileged_containers(pod: &Pod) -> Result<(), String> {
    fail(
        containers(pod)
            .filter(|c| !unset_or(&c["securityContext"]["privileged"], &[json!(false)]))
            .map(|c| format!("container `{}` is privileged", name(c)))
            .collect(),
    )
}

fn added_capabilities(c: &Value) -> impl Iterator<Item = &str> {
    c["securityContext"]["capabilities"]["add"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or("?"))
}

fn capabilities_baseline(pod: &Pod) -> Result<(), String> {
    const ALLOWED: &[&str] = &[
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ];
    fail(
        containers(pod)
            .flat_map(|c| added_capabilities(c).map(move |cap| (name(c), cap)))
            .filter(|(_, cap)| !ALLOWED.contains(cap))
            .map(|(n, cap)| format!("container `{n}` adds {cap}"))
            .collect(),
    )
}

fn volumes(pod: &Pod) -> impl Iterator<Item = &Value> {
    pod.spec["volumes"].as_array().into_iter().flatten()
}

fn host_path_volumes(pod: &Pod) -> Result<(), String> {
    fail(
        volumes(pod)
            .filter(|v| !v["hostPath"].is_null())
            .map(|v| format!("volume `{}` is a hostPath", name(v)))
            .collect(),
    )
}

fn host_ports(pod: &Pod) -> Result<(), String> {
    fail(
        containers(pod)
            .flat_map(|c| c["ports"].as_array().into_iter().flatten().map(move |p| (name(c), p)))
            .filter(|(_, p)| !unset_or(&p["hostPort"], &[json!(0)]))
            .map(|(n, p)| format!("container `{n}` uses hostPort {}", p["hostPort"]))
            .collect(),
    )
}

fn host_probes_and_lifecycle_hooks(pod: &Pod) -> Result<(), String> {
    let mut errors = Vec::new();
    for c in containers(pod) {
        let handlers = ["livenessProbe", "readinessProbe", "startupProbe"]
            .map(|p| (p.to_owned(), &c[p]))
            .into_iter()
            .chain(["postStart", "preStop"].map(|h| (format!("lifecycle.{h}"), &c["lifecycle"][h])));
        for (at, handler) in handlers {
            for kind in ["httpGet", "tcpSocket"] {
                if !unset_or(&handler[kind]["host"], &[json!("")]) {
                    errors.push(format!("container `{}` sets {at}.{kind}.host", name(c)));
                }
            }
        }
    }
    fail(errors)
}

fn app_armor(pod: &Pod) -> Result<(), String> {
    let mut errors: Vec<String> = security_contexts(pod)
        .filter(|(_, sc)| {
            !unset_or(
                &sc["appArmorProfile"]["type"],
                &[json!("RuntimeDefault"), json!("Localhost")],
            )
        })
        .map(|(who, sc)| format!("{who} sets appArmorProfile {}", sc["appArmorProfile"]["type"]))
        .collect();
    for (key, value) in pod.metadata["annotations"].as_object().into_iter().flatten() {
        let value = value.as_str().unwrap_or("");
        if key.starts_with("container.apparmor.security.beta.kubernetes.io/")
            && value != "runtime/default"
            && !value.starts_with("localhost/")
        {
            errors.push(format!("annotation {key}: {value}"));
        }
    }
    fail(errors)
}

fn se_linux(pod: &Pod) -> Result<(), String> {
    let types = [
        "",
        "container_t",
        "container_init_t",
        "container_kvm_t",
        "container_engine_t",
    ]
    .map(|t| json!(t));
    let mut errors = Vec::new();
    for (who, sc) in security_contexts(pod) {
        let options = &sc["seLinuxOptions"];
        if !unset_or(&options["type"], &types) {
            errors.push(format!("{who} sets SELinux type {}", options["type"]));
        }
        for field in ["user", "role"] {
            if !unset_or(&options[field], &[json!("")]) {
                errors.push(format!("{who} sets SELinux {field}"));
            }
        }
    }
    fail(errors)
}

fn proc_mount_type(pod: &Pod) -> Result<(), String> {
    fail(
        containers(pod)
            .filter(|c| !unset_or(&c["securityContext"]["procMount"], &[json!("Default")]))
            .map(|c| format!("container `{}` sets procMount", name(c)))
            .collect(),
    )
}

fn seccomp_type(sc: &Value) -> &Value {
    &sc["seccompProfile"]["type"]
}

fn seccomp_baseline(pod: &Pod) -> Result<(), String> {
    fail(
        security_contexts(pod)
            .filter(|(_, sc)| seccomp_type(sc) == "Unconfined")
            .map(|(who, _)| format!("{who} is Unconfined"))
            .collect(),
    )
}

fn sysctls(pod: &Pod) -> Result<(), String> {
    const SAFE: &[&str] = &[
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    ];
    fail(
        pod.spec["securityContext"]["sysctls"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| s["name"].as_str().unwrap_or("?"))
            .filter(|n| !SAFE.contains(n))
            .map(|n| format!("sysctl {n}"))
            .collect(),
    )
}

fn volume_types(pod: &Pod) -> Result<(), String> {
    const ALLOWED: &[&str] = &[
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    ];
    fail(
        volumes(pod)
            .filter(|v| !ALLOWED.iter().any(|k| !v[*k].is_null()))
            .map(|v| format!("volume `{}` is not of an allowed type", name(v)))
            .collect(),
    )
}

fn privilege_escalation(pod: &Pod) -> Result<(), String> {
    fail(
        containers(pod)
            .filter(|c| c["securityContext"]["allowPrivilegeEscalation"] != json!(false))
            .map(|c| format!("container `{}` does not set allowPrivilegeEscalation: false", name(c)))
            .collect(),
    )
}

fn running_as_non_root(pod: &Pod) -> Result<(), String> {
    let pod_level = pod.spec["securityContext"]["runAsNonRoot"] == json!(true);
    let mut errors = Vec::new();
    if !unset_or(&pod.spec["securityContext"]["runAsNonRoot"], &[json!(true)]) {
        errors.push("the pod sets runAsNonRoot: false".to_owned());
    }
    for c in containers(pod) {
        match &c["securityContext"]["runAsNonRoot"] {
            Value::Bool(true) => {}
            Value::Null if pod_level => {}
            other => errors.push(format!("container `{}`: runAsNonRoot is {other}", name(c))),
        }
    }
    fail(errors)
}

fn running_as_non_root_user(pod: &Pod) -> Result<(), String> {
    fail(
        security_contexts(pod)
            .filter(|(_, sc)| sc["runAsUser"] == json!(0))
            .map(|(who, _)| format!("{who} runs as uid 0"))
            .collect(),
    )
}

fn seccomp_restricted(pod: &Pod) -> Result<(), String> {
    let allowed = [json!("RuntimeDefault"), json!("Localhost")];
    let pod_level = seccomp_type(&pod.spec["securityContext"]);
    let mut errors = Vec::new();
    if !unset_or(pod_level, &allowed) {
        errors.push(format!("the pod's seccomp profile is {pod_level}"));
    }
    for c in containers(pod) {
        let own = seccomp_type(&c["securityContext"]);
        let ok = if own.is_null() {
            allowed.contains(pod_level)
        } else {
            allowed.contains(own)
        };
        if !ok {
            errors.push(format!(
                "container `{}` runs without RuntimeDefault or Localhost seccomp",
                name(c)
            ));
        }
    }
    fail(errors)
}

fn capabilities_restricted(pod: &Pod) -> Result<(), String> {
    let mut errors = Vec::new();
    for c in containers(pod) {
        let drop = &c["securityContext"]["capabilities"]["drop"];
        if !drop.as_array().is_some_and(|d| d.contains(&json!("ALL"))) {
            errors.push(format!("container `{}` does not drop ALL", name(c)));
        }
        for cap in added_capabilities(c).filter(|cap| *cap != "NET_BIND_SERVICE") {
            errors.push(format!("container `{}` adds {cap}", name(c)));
        }
    }
    fail(errors)
}
