//! The demo's tasks and the volunteers' claims on them, open and upcoming ones dated from `now`.

use std::collections::{BTreeMap, HashSet};

use birlik_entity::enums::{AssignmentStatus, ShipmentStatus, TaskKind, TaskStatus};
use birlik_entity::{collection_point, organization, shipment, task, task_assignment, volunteer};
use chrono::Duration;

use super::{Ctx, minutes, pick, weighted};
use crate::demo::names::FLOODED_PLACES;

pub(super) fn tasks(
    cx: &mut Ctx<'_>,
    orgs: &[organization::Model],
    points: &[collection_point::Model],
    volunteers: &[volunteer::Model],
    shipments: &[shipment::Model],
) -> (Vec<task::Model>, Vec<task_assignment::Model>) {
    let mut pools: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    for v in volunteers.iter().skip(1) {
        pools.entry(v.region_id).or_default().push(v.id);
    }
    let demo_volunteer = volunteers[0].id;
    let demo_region = volunteers[0].region_id;
    let region_weights: Vec<u32> = cx
        .regions
        .iter()
        .map(|r| cx.weight(r.id) * if r.affected { 4 } else { 1 })
        .collect();
    let region_ids: Vec<i32> = cx.regions.iter().map(|r| r.id).collect();
    let plan: [(TaskStatus, usize); 5] = [
        (TaskStatus::Done, 2_000),
        (TaskStatus::Cancelled, 80),
        (TaskStatus::InProgress, 40),
        (TaskStatus::Assigned, 120),
        (TaskStatus::Open, 450),
    ];
    let mut tasks = Vec::new();
    let mut assignments: Vec<task_assignment::Model> = Vec::new();
    let (mut demo_done, mut demo_open) = (0, 0);
    for (status, count) in plan {
        for n in 0..count {
            // Every region gets work; the first tasks of each batch go to the demo volunteer's region.
            let region_id = if n < 12 {
                demo_region
            } else {
                region_ids[weighted(&mut cx.rng, &region_weights)]
            };
            let region = cx
                .regions
                .iter()
                .find(|r| r.id == region_id)
                .expect("region");
            let affected = region.affected;
            let local_points: Vec<&collection_point::Model> =
                points.iter().filter(|p| p.region_id == region_id).collect();
            let outgoing: Vec<&shipment::Model> = shipments
                .iter()
                .filter(|s| {
                    s.origin_region_id == region_id && s.status != ShipmentStatus::Cancelled
                })
                .collect();
            let mut kinds = vec![TaskKind::ContactCenterShift];
            if affected {
                kinds.extend([
                    TaskKind::Sandbagging,
                    TaskKind::Sandbagging,
                    TaskKind::ShelterDuty,
                    TaskKind::Distribution,
                ]);
            }
            if !local_points.is_empty() {
                kinds.extend([TaskKind::Sorting, TaskKind::Sorting, TaskKind::Loading]);
            }
            if !outgoing.is_empty() {
                kinds.push(TaskKind::DeliveryEscort);
            }
            // The demo volunteer's finished tasks show each kind of link: a shipment, a point.
            let demo_kind =
                (status == TaskStatus::Done && region_id == demo_region && demo_done < 3)
                    .then(|| {
                        [
                            TaskKind::DeliveryEscort,
                            TaskKind::Sorting,
                            TaskKind::Sandbagging,
                        ][demo_done]
                    })
                    .filter(|k| kinds.contains(k));
            let kind = match demo_kind {
                Some(k) => k,
                None => *pick(&mut cx.rng, &kinds),
            };
            let starts_at = match status {
                TaskStatus::Done | TaskStatus::Cancelled => cx
                    .spring()
                    .date_naive()
                    .and_hms_opt(cx.rng.u32(7..17), 0, 0)
                    .expect("time")
                    .and_utc(),
                TaskStatus::InProgress => cx.now - minutes(&mut cx.rng, 40, 4 * 60),
                _ => cx.now + minutes(&mut cx.rng, 2 * 60, 10 * 24 * 60),
            };
            let ends_at = starts_at + Duration::hours(cx.rng.i64(3..11));
            let place = FLOODED_PLACES
                .iter()
                .find(|(code, _)| *code == region.code)
                .map(|(_, places)| (*pick(&mut cx.rng, places)).to_owned())
                .unwrap_or_else(|| cx.city(region_id).to_owned());
            let point = (matches!(kind, TaskKind::Sorting | TaskKind::Loading))
                .then(|| *pick(&mut cx.rng, &local_points));
            let escorted =
                (kind == TaskKind::DeliveryEscort).then(|| *pick(&mut cx.rng, &outgoing));
            let (title, description) = match kind {
                TaskKind::Sorting => (
                    format!(
                        "Сортировка помощи: {}",
                        point.map(|p| p.name.as_str()).unwrap_or("склад")
                    ),
                    "Разобрать поступившую помощь по категориям, проверить сроки годности, упаковать в коробки.",
                ),
                TaskKind::Loading => (
                    format!(
                        "Погрузка фур: {}",
                        point.map(|p| p.name.as_str()).unwrap_or("склад")
                    ),
                    "Погрузить паллеты и коробки в машины, отправляющиеся в пострадавшие районы.",
                ),
                TaskKind::DeliveryEscort => (
                    format!(
                        "Сопровождение груза ({})",
                        escorted
                            .map(|s| cx.city(s.destination_region_id))
                            .unwrap_or("")
                    ),
                    "Сопроводить машину с помощью, передать груз штабу и подписать акт приёма.",
                ),
                TaskKind::Distribution => (
                    format!("Раздача помощи: {place}"),
                    "Выдача продуктовых наборов, воды и одежды семьям из списка штаба.",
                ),
                TaskKind::Sandbagging => (
                    format!("Укладка мешков с песком: {place}"),
                    "Наполнить и уложить мешки с песком вдоль дамбы; резиновые сапоги выдаются.",
                ),
                TaskKind::ShelterDuty => (
                    format!("Дежурство в пункте временного размещения: {place}"),
                    "Помощь эвакуированным: регистрация, питание, присмотр за детьми.",
                ),
                TaskKind::ContactCenterShift => (
                    format!("Смена в контакт-центре штаба ({})", cx.city(region_id)),
                    "Принимать звонки, записывать заявки пострадавших и распределять волонтёров.",
                ),
            };
            let needed = match kind {
                TaskKind::Sandbagging => cx.rng.i32(10..40),
                TaskKind::DeliveryEscort => cx.rng.i32(1..3),
                TaskKind::ContactCenterShift => cx.rng.i32(2..6),
                _ => cx.rng.i32(3..16),
            };
            let claims = match status {
                TaskStatus::Done | TaskStatus::InProgress | TaskStatus::Assigned => needed,
                TaskStatus::Open => cx.rng.i32(0..needed),
                TaskStatus::Cancelled => 0,
            };
            let local_orgs: Vec<&organization::Model> = orgs
                .iter()
                .filter(|o| o.region_id == region_id && o.verified_at.is_some())
                .collect();
            let organization_id = if local_orgs.is_empty() {
                orgs[0].id
            } else {
                pick(&mut cx.rng, &local_orgs).id
            };
            let id = tasks.len() as i32 + 1;
            let created = match status {
                TaskStatus::Done | TaskStatus::Cancelled => {
                    starts_at - minutes(&mut cx.rng, 6 * 60, 72 * 60)
                }
                _ => cx.now - minutes(&mut cx.rng, 10, 24 * 60),
            };
            // The demo volunteer holds a few tasks of each kind of state.
            let with_demo = region_id == demo_region
                && match status {
                    TaskStatus::Done if demo_done < 3 => {
                        demo_done += 1;
                        true
                    }
                    TaskStatus::Open if demo_open < 2 && claims + 1 < needed => {
                        demo_open += 1;
                        true
                    }
                    _ => false,
                };
            let mut chosen: Vec<i32> = Vec::new();
            if with_demo {
                chosen.push(demo_volunteer);
            }
            let pool = &pools[&region_id];
            let mut seen: HashSet<i32> = chosen.iter().copied().collect();
            while (chosen.len() as i32) < claims.max(chosen.len() as i32)
                && chosen.len() < pool.len()
            {
                let v = *pick(&mut cx.rng, pool);
                if seen.insert(v) {
                    chosen.push(v);
                }
            }
            let assigned = chosen.len() as i32;
            let status = if status == TaskStatus::Open && assigned == needed {
                TaskStatus::Assigned
            } else {
                status
            };
            for volunteer_id in chosen {
                let claimed_at = created + minutes(&mut cx.rng, 5, 6 * 60);
                let (a_status, started_at, finished_at) = match status {
                    TaskStatus::Done => (AssignmentStatus::Done, Some(starts_at), Some(ends_at)),
                    TaskStatus::InProgress => (AssignmentStatus::InProgress, Some(starts_at), None),
                    _ => (AssignmentStatus::Claimed, None, None),
                };
                let updated = finished_at.or(started_at).unwrap_or(claimed_at);
                assignments.push(task_assignment::Model {
                    id: assignments.len() as i32 + 1,
                    task_id: id,
                    volunteer_id,
                    status: a_status,
                    claimed_at,
                    started_at,
                    finished_at,
                    released_at: None,
                    release_reason: None,
                    created_at: claimed_at,
                    updated_at: updated,
                    version: match a_status {
                        AssignmentStatus::Done => 3,
                        AssignmentStatus::InProgress => 2,
                        _ => 1,
                    },
                });
            }
            let cancelled_at = (status == TaskStatus::Cancelled)
                .then(|| created + minutes(&mut cx.rng, 30, 6 * 60));
            tasks.push(task::Model {
                id,
                organization_id: Some(organization_id),
                region_id,
                collection_point_id: point.map(|p| p.id),
                shipment_id: escorted.map(|s| s.id),
                title,
                description: description.to_owned(),
                kind,
                starts_at,
                ends_at,
                volunteers_needed: needed,
                volunteers_assigned: assigned,
                status,
                cancelled_at,
                created_by: None,
                created_at: created,
                updated_at: cancelled_at.unwrap_or(match status {
                    TaskStatus::Done => ends_at,
                    _ => created,
                }),
                version: match status {
                    TaskStatus::Open => 1,
                    TaskStatus::Done => 3,
                    _ => 2,
                },
            });
        }
    }
    (tasks, assignments)
}
