use super::*;

#[tokio::test(start_paused = true)]
async fn spaces_calls_across_every_clone() {
    let limiter = RateLimiter::per_second(20);
    let start = Instant::now();
    let tasks: Vec<_> = (0..41)
        .map(|_| {
            let l = limiter.clone();
            tokio::spawn(async move {
                l.acquire().await;
                Instant::now()
            })
        })
        .collect();
    let mut times = Vec::new();
    for t in tasks {
        times.push(t.await.unwrap() - start);
    }
    times.sort();
    // 41 calls at 20 per second: the last starts two seconds after the first.
    assert_eq!(times[0], Duration::ZERO);
    assert_eq!(times[40], Duration::from_secs(2));
    // No second holds more than 20 starts.
    for w in times.windows(21) {
        assert!(w[20].checked_sub(w[0]).unwrap() >= Duration::from_secs(1), "{w:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn an_idle_limiter_does_not_bank_calls() {
    let limiter = RateLimiter::per_second(10);
    limiter.acquire().await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let start = Instant::now();
    limiter.acquire().await;
    limiter.acquire().await;
    assert_eq!(Instant::now() - start, Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn a_burst_goes_at_once_then_the_rate_holds() {
    // AttachPolicy: 2 per second, burst 3.
    let limiter = RateLimiter::new(Quota { rate: 2.0, burst: 3 });
    let start = Instant::now();
    let mut times = Vec::new();
    for _ in 0..7 {
        limiter.acquire().await;
        times.push(Instant::now() - start);
    }
    let ms: Vec<u128> = times.iter().map(Duration::as_millis).collect();
    assert_eq!(ms, [0, 0, 0, 500, 1000, 1500, 2000]);
    // After a pause the burst is back, and no more.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let start = Instant::now();
    for _ in 0..4 {
        limiter.acquire().await;
    }
    assert_eq!(Instant::now() - start, Duration::from_millis(500));
}

#[tokio::test(start_paused = true)]
async fn a_throttled_bucket_slows_then_recovers() {
    // 10 per second, evenly spaced.
    let limiter = RateLimiter::per_second(10);
    // The time between two calls made one after the other.
    async fn gap(l: &RateLimiter) -> Duration {
        l.acquire().await;
        let start = Instant::now();
        l.acquire().await;
        Instant::now() - start
    }
    assert_eq!(gap(&limiter).await, Duration::from_millis(100));
    limiter.throttled();
    // 0.7 of the rate (a hair over, as it starts to recover at once): about 143 ms.
    let slowed = gap(&limiter).await;
    assert!(
        (Duration::from_millis(138)..=Duration::from_millis(143)).contains(&slowed),
        "{slowed:?}"
    );
    // Another throttled answer of the same moment: the same congestion, no slower.
    limiter.throttled();
    let same = gap(&limiter).await;
    assert!(same <= slowed, "{same:?} after {slowed:?}");
    // One a window later slows it again: about half the rate after two.
    tokio::time::sleep(DECREASE_WINDOW).await;
    limiter.throttled();
    let slower = gap(&limiter).await;
    assert!(
        (Duration::from_millis(190)..=Duration::from_millis(205)).contains(&slower),
        "about half the rate after two: {slower:?}"
    );
    // Recovered after the recovery time: 100 ms again.
    tokio::time::sleep(RECOVERY).await;
    assert_eq!(gap(&limiter).await, Duration::from_millis(100));
    // Never below a tenth of the quota.
    for _ in 0..10 {
        limiter.throttled();
        tokio::time::sleep(DECREASE_WINDOW).await;
    }
    assert!(gap(&limiter).await <= Duration::from_millis(1000));
    // Nor more than 5 s between calls: 2 per second slowed to a tenth is 5 s; 0.1 per
    // second (CreateAccount) is not slowed at all.
    let slow = RateLimiter::new(Quota { rate: 0.1, burst: 1 });
    slow.throttled();
    assert_eq!(gap(&slow).await, Duration::from_secs(10));
    let policy = RateLimiter::new(Quota { rate: 1.0, burst: 1 });
    for _ in 0..10 {
        policy.throttled();
        tokio::time::sleep(DECREASE_WINDOW).await;
    }
    assert!(gap(&policy).await <= LONGEST_SLOWED_INTERVAL);
}

#[test]
fn throttling_answers_in_every_protocol_are_recognised() {
    assert!(is_throttling(429, b""));
    assert!(is_throttling(
        400,
        br#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#
    ));
    assert!(is_throttling(400, b"<Error><Code>Throttling</Code></Error>"));
    assert!(is_throttling(503, b"<Error><Code>SlowDown</Code></Error>"));
    assert!(!is_throttling(400, br#"{"__type":"ConstraintViolationException"}"#));
    assert!(!is_throttling(200, b"Throttling"));
}

#[tokio::test(start_paused = true)]
async fn the_pacer_applies_the_quota_table_and_max_rate() {
    let pacer = Pacer::new(BTreeMap::new());
    let start = Instant::now();
    // Within a millisecond of `secs` at the quota, paced HEADROOM under it.
    let took = |start: Instant, secs: f64| {
        let want = secs / HEADROOM;
        let got = (Instant::now() - start).as_secs_f64();
        assert!((got - want).abs() < 0.001, "took {got} s, expected {want} s");
    };
    // PutMetricAlarm: 3 per second, burst 3: nine calls take two seconds (a hair more).
    for _ in 0..9 {
        pacer.acquire("CloudWatch", "PutMetricAlarm").await;
    }
    took(start, 2.0);
    // The bottleneck is named while calls queue.
    pacer.acquire("CloudWatch", "PutMetricAlarm").await;
    let (name, rate, _) = pacer.bottleneck().expect("a queue");
    assert_eq!(name, "CloudWatch.PutMetricAlarm");
    assert!((rate - 3.0 * HEADROOM).abs() < 1e-9, "{rate}");

    // `--max-rate organizations=1`: DescribePolicy (2 per second) goes at 1.
    let pacer = Pacer::new(BTreeMap::from([("organizations".to_owned(), 1.0)]));
    let start = Instant::now();
    for _ in 0..3 {
        pacer.acquire("Organizations", "DescribePolicy").await;
    }
    took(start, 2.0);
    // `--max-rate sso=10` lowers the bucket both IAM Identity Center APIs share.
    let pacer = Pacer::new(BTreeMap::from([("sso".to_owned(), 10.0)]));
    let start = Instant::now();
    for i in 0..4 {
        let service = if i % 2 == 0 { "SSO Admin" } else { "identitystore" };
        pacer.acquire(service, "ListGroups").await;
    }
    took(start, 0.3);
}

/// The counter, the pacer and `--max-rate` read one service table: every service the SDK
/// names has its IAM prefix and its budget, and `--max-rate NAME=N` paces each service
/// under that name (the identity store under `sso`).
#[tokio::test(start_paused = true)]
async fn every_service_is_counted_and_paced_under_its_table_names() {
    use crate::aws::Service;
    use crate::aws::counter::iam_prefix;
    for &service in Service::ALL {
        let sdk = service.sdk_name();
        assert_eq!(iam_prefix(sdk), Some(service.iam_prefix()), "{sdk}");
        assert_eq!(budget(sdk), Some(service.max_rate_name()), "{sdk}");
        assert!(Service::max_rate_names().contains(&service.max_rate_name()), "{sdk}");

        // Half a call per second: three calls take four seconds (a hair more).
        let pacer = Pacer::new(BTreeMap::from([(service.max_rate_name().to_owned(), 0.5)]));
        let start = Instant::now();
        for _ in 0..3 {
            pacer.acquire(sdk, "ProbeOperation").await;
        }
        let took = (Instant::now() - start).as_secs_f64();
        let want = 4.0 / HEADROOM;
        assert!((took - want).abs() < 0.001, "{sdk}: took {took} s, expected {want} s");
    }
    // The logs adapter and the counter spell CloudWatch Logs the SDK's one way.
    assert_eq!(budget("CloudWatch Logs"), Some("logs"));
    assert_eq!(budget("CloudWatchLogs"), None);
    // Every quota row names a service of the table, by the SDK's name in the emulator's copy.
    let table = quotas::as_json();
    for key in table["operations"].as_object().unwrap().keys() {
        let (service, _) = key.rsplit_once('.').unwrap();
        assert!(Service::from_sdk(service).is_some(), "{key}");
    }
}
