//! `kill -9` during a burst of writes.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_a_burst_loses_only_what_was_not_acknowledged() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let ngo = signed_token(&db, "ngo@demo.birlik.kz").await;
    let point = own_point(&db).await;
    let stock: Vec<i32> = ints(
        &db,
        &format!(
            "SELECT id FROM donation WHERE organization_id = {NGO_ORG} AND status = 'received' \
             AND grams >= 20000 ORDER BY id LIMIT 40"
        ),
    )
    .await
    .into_iter()
    .map(|id| id as i32)
    .collect();
    assert!(stock.len() >= 10, "stock to ship from");
    let mut server = Server::spawn(&test_db.url());
    server.ready().await;

    // Donation writers and shipment planners, each request keyed; a lost answer is retried later.
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Donation,
        Shipment,
    }
    let running = Arc::new(AtomicBool::new(true));
    let mut writers = Vec::new();
    for w in 0..6 {
        let kind = if w < 4 {
            Kind::Donation
        } else {
            Kind::Shipment
        };
        let (base, ngo, running, stock) = (
            server.base.clone(),
            ngo.clone(),
            running.clone(),
            stock.clone(),
        );
        writers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut sent = Vec::new();
            let mut n = 0;
            while running.load(Ordering::Relaxed) {
                let (query, input) = match kind {
                    Kind::Donation => (
                        ops::REGISTER_DONATION,
                        donation_input(point, &format!("kill9-d{w}-{n}")),
                    ),
                    Kind::Shipment => {
                        let pick = |i: usize| stock[i % stock.len()];
                        (
                            ops::PLAN_SHIPMENT,
                            plan_input(
                                [pick(2 * n + w), pick(2 * n + w + 1)],
                                &format!("kill9-s{w}-{n}"),
                            ),
                        )
                    }
                };
                n += 1;
                let outcome = post(&http, &base, Some(&ngo), query, input.clone()).await;
                let refused = outcome.status == 0;
                sent.push((kind, query, input, outcome));
                if refused {
                    // The server is gone: this writer's burst is over.
                    break;
                }
            }
            sent
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    running.store(false, Ordering::Relaxed);
    let mut sent = Vec::new();
    for w in writers {
        sent.extend(w.await.unwrap());
    }

    let mut server = Server::spawn(&test_db.url());
    server.ready().await;
    let acknowledged = |kind: Kind| -> Vec<i64> {
        sent.iter()
            .filter(|(k, _, _, o)| *k == kind && o.ok())
            .map(|(_, _, _, o)| match kind {
                Kind::Donation => result_id(o, "registerDonation", "Donation"),
                Kind::Shipment => result_id(o, "planShipment", "Shipment"),
            })
            .collect()
    };
    let donations = acknowledged(Kind::Donation);
    let shipments = acknowledged(Kind::Shipment);
    assert!(
        donations.len() >= 10 && shipments.len() >= 5,
        "a burst: {} donations, {} shipments acknowledged",
        donations.len(),
        shipments.len()
    );
    let cut = sent.iter().filter(|(.., o)| !o.ok()).count();
    for (.., o) in &sent {
        assert!(o.ok() || o.status == 0, "{} {}", o.status, o.body);
    }
    assert_eq!(existing(&db, "donation", &donations).await, donations.len());
    assert_eq!(existing(&db, "shipment", &shipments).await, shipments.len());
    for id in &shipments {
        let items = int(
            &db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM shipment_item WHERE shipment_id = {id}"),
        )
        .await;
        assert_eq!(items, 2, "shipment {id} has its items");
    }
    assert_whole(&db).await;

    // Every request can be sent again with its key: the acknowledged ones replay their result,
    // the cut ones act now, and each key has acted exactly once.
    let http = reqwest::Client::new();
    for (kind, query, input, o) in &sent {
        let again = post(&http, &server.base, Some(&ngo), query, input.clone()).await;
        assert!(again.ok(), "a retry: {}", again.body);
        if o.ok() {
            let field = match kind {
                Kind::Donation => "registerDonation",
                Kind::Shipment => "planShipment",
            };
            assert_eq!(again.body["data"][field], o.body["data"][field]);
        }
    }
    let keyed = |kind: Kind| sent.iter().filter(|(k, ..)| *k == kind).count() as i64;
    assert_eq!(
        int(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE description = 'fault test'"
        )
        .await,
        keyed(Kind::Donation)
    );
    assert_eq!(
        int(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM idempotency_key WHERE operation = 'planShipment' AND key LIKE 'kill9-s%'"
        )
        .await,
        keyed(Kind::Shipment)
    );
    assert_whole(&db).await;
    report(format!(
        "kill -9: {} donations and {} shipments acknowledged and present, {cut} requests cut",
        donations.len(),
        shipments.len()
    ));
}
