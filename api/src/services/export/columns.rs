//! Each dataset's columns: the readable name in Kazakh, Russian and English (the first header
//! row) and the HXL 1.1 hashtag with its attributes (the second). Hashtags are the HXL 1.1
//! dictionary's (`#org`, `#sector`, `#adm1`, `#loc`, `#date`, `#item`, `#status`, `#indicator`,
//! `#affected`, `#capacity`, `#meta`) or extensions (`#x_kg` for kilograms, `#x_priority`);
//! `docs/OPEN-DATA.md` explains each choice.

use crate::context::Lang;

use super::Dataset;

/// One column: its names (kk, ru, en) and its hashtag.
pub struct Column {
    pub names: (&'static str, &'static str, &'static str),
    pub tag: &'static str,
}

const fn col(kk: &'static str, ru: &'static str, en: &'static str, tag: &'static str) -> Column {
    Column {
        names: (kk, ru, en),
        tag,
    }
}

const REGION: Column = col("Өңір", "Регион", "Region", "#adm1 +name");
const REGION_CODE: Column = col(
    "Өңір коды (ISO 3166-2)",
    "Код региона (ISO 3166-2)",
    "Region code (ISO 3166-2)",
    "#adm1 +code",
);
const CLUSTER_CODE: Column = col(
    "Кластер коды",
    "Код кластера",
    "Cluster code",
    "#sector +cluster +code",
);
const CLUSTER: Column = col("Кластер", "Кластер", "Cluster", "#sector +cluster +name");
const CATEGORY_CODE: Column = col(
    "Санат коды",
    "Код категории",
    "Category code",
    "#item +type +code",
);
const CATEGORY: Column = col("Санат", "Категория", "Category", "#item +type +name");

const THREE_W: &[Column] = &[
    col("Ұйым", "Организация", "Organization", "#org +name"),
    col(
        "Ұйым түрі",
        "Тип организации",
        "Organization kind",
        "#org +type",
    ),
    CLUSTER_CODE,
    CLUSTER,
    CATEGORY_CODE,
    CATEGORY,
    col("Қайдан", "Откуда", "From region", "#adm1 +name +origin"),
    col(
        "Қайдан (код)",
        "Откуда (код)",
        "From region code",
        "#adm1 +code +origin",
    ),
    col("Қайда", "Куда", "To region", "#adm1 +name +dest"),
    col(
        "Қайда (код)",
        "Куда (код)",
        "To region code",
        "#adm1 +code +dest",
    ),
    col(
        "Алғашқы жеткізу",
        "Первая доставка",
        "First delivery",
        "#date +start",
    ),
    col(
        "Соңғы жеткізу",
        "Последняя доставка",
        "Last delivery",
        "#date +end",
    ),
    col(
        "Жүк саны",
        "Отправок",
        "Shipments",
        "#indicator +num +shipments",
    ),
    col(
        "Жеткізілді, кг",
        "Доставлено, кг",
        "Delivered, kg",
        "#x_kg +delivered",
    ),
];

const NEEDS: &[Column] = &[
    col("Қажеттілік", "Потребность", "Need", "#meta +id"),
    REGION,
    REGION_CODE,
    col("Орын", "Место", "Place", "#loc +name"),
    col(
        "Пункт",
        "Пункт размещения",
        "Shelter",
        "#loc +name +shelter",
    ),
    CLUSTER_CODE,
    CATEGORY_CODE,
    CATEGORY,
    col("Басымдық", "Приоритет", "Priority", "#x_priority"),
    col(
        "Сұралды, кг",
        "Запрошено, кг",
        "Requested, kg",
        "#x_kg +requested",
    ),
    col(
        "Бөлінді, кг",
        "Выделено, кг",
        "Allocated, kg",
        "#x_kg +allocated",
    ),
    col(
        "Жөнелтілді, кг",
        "Отправлено, кг",
        "Dispatched, kg",
        "#x_kg +dispatched",
    ),
    col(
        "Жеткізілді, кг",
        "Доставлено, кг",
        "Delivered, kg",
        "#x_kg +delivered",
    ),
    col(
        "Жетіспейді, кг",
        "Не покрыто, кг",
        "Outstanding, kg",
        "#x_kg +outstanding",
    ),
    col(
        "Орындалуы",
        "Выполнение",
        "Fulfilment",
        "#status +fulfilment",
    ),
    col("Күйі", "Статус", "Status", "#status +need"),
    col("Мерзімі", "Нужно к", "Needed by", "#date +due"),
];

const REGIONS: &[Column] = &[
    REGION,
    REGION_CODE,
    col(
        "Төтенше жағдай",
        "Режим ЧС",
        "State of emergency",
        "#status +emergency",
    ),
    col(
        "Жиналды, кг",
        "Собрано, кг",
        "Collected, kg",
        "#x_kg +collected",
    ),
    col(
        "Жөнелтілді, кг",
        "Отправлено, кг",
        "Shipped out, kg",
        "#x_kg +shipped",
    ),
    col(
        "Қабылданды, кг",
        "Получено, кг",
        "Received, kg",
        "#x_kg +received",
    ),
    col(
        "Есептен шығарылды, кг",
        "Списано, кг",
        "Written off, kg",
        "#x_kg +written_off",
    ),
    col(
        "Қажеттіліктер жетіспейді, кг",
        "Не покрыто потребностей, кг",
        "Needs outstanding, kg",
        "#x_kg +outstanding",
    ),
    col(
        "Еріктілер",
        "Волонтёры",
        "Volunteers",
        "#indicator +num +volunteers",
    ),
    col(
        "Қабылдау пункттері",
        "Пункты сбора",
        "Collection points",
        "#indicator +num +collection_points",
    ),
    col(
        "Пункттердегі адамдар",
        "Людей в пунктах размещения",
        "People in shelters",
        "#affected +ind +displaced",
    ),
];

const DONATIONS_DAILY: &[Column] = &[
    col("Күні (UTC+5)", "Дата (UTC+5)", "Day (UTC+5)", "#date"),
    REGION,
    REGION_CODE,
    CLUSTER_CODE,
    CATEGORY_CODE,
    CATEGORY,
    col(
        "Түсімдер саны",
        "Пожертвований",
        "Donations",
        "#indicator +num +donations",
    ),
    col(
        "Жиналды, кг",
        "Собрано, кг",
        "Collected, kg",
        "#x_kg +collected",
    ),
];

const SHELTERS: &[Column] = &[
    col("Пункт", "Пункт размещения", "Shelter", "#loc +name"),
    col("Мекенжайы", "Адрес", "Address", "#loc +address"),
    REGION,
    REGION_CODE,
    col("Күйі", "Статус", "Status", "#status"),
    col("Сыйымдылығы", "Вместимость", "Capacity", "#capacity +ind"),
    col("Адамдар", "Людей", "People", "#affected +ind +displaced"),
    col(
        "Оның ішінде балалар",
        "Из них детей",
        "Of them children",
        "#affected +ind +displaced +children",
    ),
    col(
        "Саналған күні",
        "Дата подсчёта",
        "Counted on",
        "#date +reported",
    ),
];

/// The columns of a dataset.
pub fn of(dataset: Dataset) -> &'static [Column] {
    match dataset {
        Dataset::ThreeW => THREE_W,
        Dataset::Needs => NEEDS,
        Dataset::Regions => REGIONS,
        Dataset::DonationsDaily => DONATIONS_DAILY,
        Dataset::Shelters => SHELTERS,
    }
}

/// The readable names in `lang`.
pub fn names(dataset: Dataset, lang: Lang) -> impl Iterator<Item = &'static str> {
    of(dataset).iter().map(move |c| match lang {
        Lang::Kk => c.names.0,
        Lang::Ru => c.names.1,
        Lang::En => c.names.2,
    })
}

/// The hashtag row.
pub fn tags(dataset: Dataset) -> impl Iterator<Item = &'static str> {
    of(dataset).iter().map(|c| c.tag)
}
