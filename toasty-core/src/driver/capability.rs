//! What a driver can do.

/// The family of operations a driver accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DriverKind {
    /// Arbitrary filters, ordering, limits, counts, updates and deletes by filter
    /// ([`super::Operation::Select`], [`super::Operation::Update`], ...).
    Sql,
    /// Key-value access only ([`super::Operation::GetByKey`], [`super::Operation::QueryPk`],
    /// writes by key), with DynamoDB's limits.
    KeyValue,
}

/// Facts about a database that the planner uses. A capability is never a test switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capability {
    /// A short name for messages ("memdb-sql", "sqlite", "dynamodb", ...).
    pub name: &'static str,
    /// Which operation family the driver accepts.
    pub kind: DriverKind,
    /// The database can assign auto-increment integer keys.
    pub auto_increment: bool,
    /// The most rows one [`super::Operation::Insert`] may carry (`None`: no limit).
    pub max_insert_rows: Option<usize>,
    /// The most keys one [`super::Operation::GetByKey`] may carry.
    pub max_get_keys: Option<usize>,
    /// The most keys one write-by-key operation may carry.
    pub max_write_keys: Option<usize>,
    /// The most key columns a table's primary key (and an index) may have.
    pub max_key_columns: Option<usize>,
    /// The driver runs interactive transactions ([`super::TransactionOp`]): begin,
    /// commit, rollback and savepoints on one connection.
    pub interactive_transactions: bool,
    /// The most items one [`super::TransactWrite`] may carry (key-value kind; `None`:
    /// the driver does not take `TransactWrite`).
    pub max_transact_items: Option<usize>,
    /// The most bytes one record may take as an item, measured by [`super::item_size`]
    /// (key-value kind: DynamoDB's 400 KB; `None`: no limit). The engine refuses a
    /// write that would store a larger record with `ValueOutOfRange`, before anything
    /// reaches the driver.
    pub max_item_bytes: Option<usize>,
}

impl Capability {
    /// The capability of an SQL database with no special limits.
    pub const SQL: Capability = Capability {
        name: "sql",
        kind: DriverKind::Sql,
        auto_increment: true,
        max_insert_rows: None,
        max_get_keys: None,
        max_write_keys: None,
        max_key_columns: None,
        interactive_transactions: true,
        max_transact_items: None,
        max_item_bytes: None,
    };

    /// The capability of a DynamoDB-like key-value store: 100-item transactional
    /// writes, 100-key batch gets, 25-item batch writes, partition + sort keys, items of
    /// at most 400 KB, no interactive transactions.
    pub const KV: Capability = Capability {
        name: "kv",
        kind: DriverKind::KeyValue,
        auto_increment: false,
        max_insert_rows: Some(100),
        max_get_keys: Some(100),
        max_write_keys: Some(25),
        max_key_columns: Some(2),
        interactive_transactions: false,
        max_transact_items: Some(100),
        max_item_bytes: Some(400_000),
    };

    /// Returns `true` for SQL drivers.
    pub fn is_sql(&self) -> bool {
        self.kind == DriverKind::Sql
    }
}
