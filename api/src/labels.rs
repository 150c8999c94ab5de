//! Names of enum values for people, in Kazakh, Russian and English, for the labels clients show.

use birlik_entity::enums::{
    DonationCategory, DonationStatus, OrganizationKind, ShipmentStatus, TaskKind, TaskStatus,
};

use crate::context::Lang;

/// A value's name in each language: (kk, ru, en).
pub trait Label {
    fn names(&self) -> (&'static str, &'static str, &'static str);

    /// The name in `lang`.
    fn label(&self, lang: Lang) -> &'static str {
        let (kk, ru, en) = self.names();
        match lang {
            Lang::Kk => kk,
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

impl Label for DonationCategory {
    fn names(&self) -> (&'static str, &'static str, &'static str) {
        match self {
            DonationCategory::Food => ("Азық-түлік", "Продукты питания", "Food"),
            DonationCategory::DrinkingWater => ("Ауыз су", "Питьевая вода", "Drinking water"),
            DonationCategory::Clothing => ("Киім", "Одежда", "Clothing"),
            DonationCategory::Hygiene => ("Гигиена құралдары", "Средства гигиены", "Hygiene"),
            DonationCategory::Medicine => ("Дәрі-дәрмек", "Медикаменты", "Medicine"),
            DonationCategory::Bedding => ("Төсек-орын", "Постельные принадлежности", "Bedding"),
            DonationCategory::BabySupplies => (
                "Балаларға арналған заттар",
                "Детские товары",
                "Baby supplies",
            ),
            DonationCategory::AnimalFeed => ("Мал азығы", "Корм для животных", "Animal feed"),
            DonationCategory::BuildingMaterials => (
                "Құрылыс материалдары",
                "Строительные материалы",
                "Building materials",
            ),
            DonationCategory::Other => ("Басқа", "Другое", "Other"),
        }
    }
}

impl Label for DonationStatus {
    fn names(&self) -> (&'static str, &'static str, &'static str) {
        match self {
            DonationStatus::Received => ("Қоймада", "На складе", "In stock"),
            DonationStatus::PartlyShipped => (
                "Ішінара жөнелтілді",
                "Частично отправлено",
                "Partly shipped",
            ),
            DonationStatus::Shipped => ("Жөнелтілді", "Отправлено", "Shipped"),
            DonationStatus::Cancelled => ("Жойылды", "Отменено", "Cancelled"),
        }
    }
}

impl Label for ShipmentStatus {
    fn names(&self) -> (&'static str, &'static str, &'static str) {
        match self {
            ShipmentStatus::Planned => ("Жоспарланған", "Запланировано", "Planned"),
            ShipmentStatus::Dispatched => ("Жолда", "В пути", "On the road"),
            ShipmentStatus::Delivered => ("Жеткізілді", "Доставлено", "Delivered"),
            ShipmentStatus::Cancelled => ("Жойылды", "Отменено", "Cancelled"),
        }
    }
}

impl Label for TaskKind {
    fn names(&self) -> (&'static str, &'static str, &'static str) {
        match self {
            TaskKind::Sorting => ("Сұрыптау", "Сортировка", "Sorting"),
            TaskKind::Loading => ("Тиеу", "Погрузка", "Loading"),
            TaskKind::DeliveryEscort => {
                ("Жүкті алып жүру", "Сопровождение груза", "Delivery escort")
            }
            TaskKind::Distribution => ("Көмек тарату", "Раздача помощи", "Distribution"),
            TaskKind::Sandbagging => (
                "Құм қаптарын төсеу",
                "Укладка мешков с песком",
                "Sandbagging",
            ),
            TaskKind::ShelterDuty => (
                "Уақытша орналастыру пунктіндегі кезекшілік",
                "Дежурство в пункте временного размещения",
                "Shelter duty",
            ),
            TaskKind::ContactCenterShift => (
                "Байланыс орталығындағы ауысым",
                "Смена в контакт-центре",
                "Contact-centre shift",
            ),
        }
    }
}

impl Label for TaskStatus {
    fn names(&self) -> (&'static str, &'static str, &'static str) {
        match self {
            TaskStatus::Open => ("Бос орын бар", "Есть места", "Open"),
            TaskStatus::Assigned => ("Орын жоқ", "Мест нет", "Full"),
            TaskStatus::InProgress => ("Орындалуда", "Выполняется", "In progress"),
            TaskStatus::Done => ("Орындалды", "Выполнено", "Done"),
            TaskStatus::Cancelled => ("Жойылды", "Отменено", "Cancelled"),
        }
    }
}

impl Label for OrganizationKind {
    fn names(&self) -> (&'static str, &'static str, &'static str) {
        match self {
            OrganizationKind::NationalVolunteerNetwork => (
                "Ұлттық волонтерлік желі",
                "Национальная волонтёрская сеть",
                "National volunteer network",
            ),
            OrganizationKind::VolunteerOrganization => (
                "Волонтерлік ұйым",
                "Волонтёрская организация",
                "Volunteer organization",
            ),
            OrganizationKind::Youth => (
                "Жастар ұйымы",
                "Молодёжная организация",
                "Youth organization",
            ),
            OrganizationKind::Religious => (
                "Діни бірлестік",
                "Религиозное объединение",
                "Religious organization",
            ),
            OrganizationKind::Ethnocultural => (
                "Этномәдени бірлестік",
                "Этнокультурное объединение",
                "Ethnocultural association",
            ),
            OrganizationKind::Charity => ("Қайырымдылық қоры", "Благотворительный фонд", "Charity"),
            OrganizationKind::Business => ("Бизнес", "Бизнес", "Business"),
            OrganizationKind::GovernmentBody => (
                "Мемлекеттік орган",
                "Государственный орган",
                "Government body",
            ),
        }
    }
}
