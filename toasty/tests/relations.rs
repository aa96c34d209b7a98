//! Relations through the public API, on memdb (both personas) and, with feature
//! `sqlite`, in-memory SQLite: the example of the issue, how many driver operations
//! preloading costs (a counting driver around memdb), the message of `.get()` on an
//! unloaded relation, and the shape of the plans relations compile to.

use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use toasty::BatchItem;
use toasty_core::driver::{Capability, Connection, Driver, Operation, Response};
use toasty_core::schema::db;

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    name: String,
    #[unique]
    email: String,
    #[has_many]
    todos: toasty::HasMany<Todo>,
}

#[derive(Debug, toasty::Model)]
struct Todo {
    #[key]
    #[auto]
    id: u64,
    #[index]
    user_id: u64,
    #[belongs_to(key = user_id, references = id)]
    user: toasty::BelongsTo<User>,
    title: String,
}

fn urls() -> Vec<&'static str> {
    let mut urls = vec!["memory:"];
    if cfg!(feature = "sqlite") {
        urls.push("sqlite::memory:");
    }
    urls
}

/// The example of the issue, unchanged, on every SQL-kind backend here.
#[tokio::test]
async fn issue_example() -> toasty::Result<()> {
    for url in urls() {
        let mut db = toasty::Db::builder()
            .models(toasty::models!(User, Todo))
            .connect(url)
            .await?;
        db.push_schema().await?;
        let user = toasty::create!(User {
            name: "Ada",
            email: "ada@example.com",
            todos: [{ title: "Write docs" }, { title: "Ship release" }],
        })
        .exec(&mut db)
        .await?;
        let user = User::get_by_id(&mut db, &user.id).await?;
        assert!(user.todos.is_unloaded());
        let todos = user.todos().exec(&mut db).await?;
        let mut titles: Vec<_> = todos.iter().map(|t| t.title.as_str()).collect();
        titles.sort();
        assert_eq!(titles, ["Ship release", "Write docs"], "{url}");
        assert!(todos.iter().all(|t| t.user_id == user.id));
        let owner = todos[0].user().exec(&mut db).await?;
        assert_eq!(owner.id, user.id);
    }
    Ok(())
}

/// memdb, recording every operation its connections receive.
#[derive(Debug, Clone)]
struct Counting {
    inner: toasty_memdb::MemDb,
    log: Arc<Mutex<Vec<String>>>,
}

struct CountingConn {
    inner: Box<dyn Connection>,
    log: Arc<Mutex<Vec<String>>>,
}

#[async_trait]
impl Driver for Counting {
    fn capability(&self) -> &Capability {
        self.inner.capability()
    }

    async fn connect(&self) -> toasty::Result<Box<dyn Connection>> {
        Ok(Box::new(CountingConn {
            inner: self.inner.connect().await?,
            log: self.log.clone(),
        }))
    }
}

#[async_trait]
impl Connection for CountingConn {
    async fn exec(&mut self, schema: &db::Schema, op: Operation) -> toasty::Result<Response> {
        let op = op.uncached()?;
        let table = match &op {
            Operation::Select(s) => Some(s.table),
            Operation::Insert(i) => Some(i.table),
            Operation::Update(u) => Some(u.table),
            Operation::Delete(d) => Some(d.table),
            Operation::GetByKey(g) => Some(g.table),
            Operation::QueryPk(q) => Some(q.table),
            _ => None,
        };
        let name = table
            .and_then(|t| schema.table(t).ok())
            .map(|t| format!("{} {}", op.name(), t.name))
            .unwrap_or_else(|| op.name().to_string());
        if let Ok(mut log) = self.log.lock() {
            log.push(name);
        }
        self.inner.exec(schema, op).await
    }
}

impl Counting {
    fn new(inner: toasty_memdb::MemDb) -> Self {
        Counting {
            inner,
            log: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn take(&self) -> Vec<String> {
        self.log
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}

#[derive(Debug, toasty::Model)]
struct Shop {
    #[key]
    #[auto]
    id: uuid::Uuid,
    #[index]
    city: String,
    #[has_many]
    items: toasty::Deferred<Vec<Item>>,
}

#[derive(Debug, toasty::Model)]
struct Item {
    #[key]
    #[auto]
    id: uuid::Uuid,
    #[index]
    shop_id: uuid::Uuid,
    #[belongs_to]
    shop: toasty::Deferred<Shop>,
    name: String,
    #[has_many]
    tags: toasty::Deferred<Vec<Tag>>,
}

#[derive(Debug, toasty::Model)]
struct Tag {
    #[key]
    #[auto]
    id: uuid::Uuid,
    #[index]
    item_id: uuid::Uuid,
    #[belongs_to]
    item: toasty::Deferred<Item>,
    label: String,
}

/// Preloading costs one driver operation per relation level on an SQL-kind driver,
/// whatever the number of records: a batched `IN` read. On a key-value driver a
/// `#[belongs_to]` level is one batched key lookup, and a `#[has_many]` level one index
/// query per parent (DynamoDB queries one partition at a time).
#[tokio::test]
async fn one_operation_per_relation_level() -> toasty::Result<()> {
    for kv in [false, true] {
        let driver = Counting::new(if kv {
            toasty_memdb::MemDb::kv()
        } else {
            toasty_memdb::MemDb::new()
        });
        let mut db = toasty::Db::builder()
            .models(toasty::models!(Shop, Item, Tag))
            .build(driver.clone())
            .await?;
        db.push_schema().await?;
        for s in 0..5 {
            toasty::create!(Shop {
                city: "Oslo",
                items: [
                    { name: format!("a{s}"), tags: [{ label: "x" }, { label: "y" }] },
                    { name: format!("b{s}"), tags: [{ label: "z" }] },
                ],
            })
            .exec(&mut db)
            .await?;
        }
        driver.take();

        let shops = Shop::filter_by_city("Oslo")
            .include(Shop::fields().items().tags())
            .include(Shop::fields().items().shop())
            .exec(&mut db)
            .await?;
        let ops = driver.take();
        assert_eq!(shops.len(), 5);
        for shop in &shops {
            let items = shop.items.get();
            assert_eq!(items.len(), 2);
            for item in items {
                assert_eq!(item.shop.get().id, shop.id);
                let want = if item.name.starts_with('a') { 2 } else { 1 };
                assert_eq!(item.tags.get().len(), want);
            }
        }
        if kv {
            // shops by index; items: one index query per shop; tags: one per item;
            // item.shop: one batched key lookup for the five shops.
            let count = |prefix: &str| ops.iter().filter(|o| o.starts_with(prefix)).count();
            assert_eq!(ops.len(), 1 + 5 + 10 + 1, "{ops:?}");
            assert_eq!(count("get by key shops"), 1, "{ops:?}");
            assert_eq!(count("query by partition key items"), 5, "{ops:?}");
            assert_eq!(count("query by partition key tags"), 10, "{ops:?}");
        } else {
            assert_eq!(
                ops,
                [
                    "select shops",
                    "select items",
                    "select tags",
                    "select shops"
                ],
                "one read per relation level"
            );
        }

        // Without includes, nothing more is read.
        let shops = Shop::filter_by_city("Oslo").exec(&mut db).await?;
        assert_eq!(driver.take().len(), 1);
        assert!(shops.iter().all(|s| s.items.is_unloaded()));
    }
    Ok(())
}

/// `.get()` on an unloaded relation panics with a message that names the include to
/// add; `try_get()` returns `None`.
#[tokio::test]
async fn get_on_unloaded_relation_names_the_include() -> toasty::Result<()> {
    let mut db = toasty::Db::builder()
        .models(toasty::models!(User, Todo))
        .connect("memory:")
        .await?;
    db.push_schema().await?;
    let user = toasty::create!(User {
        name: "Ada",
        email: "a@x"
    })
    .exec(&mut db)
    .await?;
    let user = User::get_by_id(&mut db, user.id).await?;
    assert!(user.todos.try_get().is_none());
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| user.todos.get().len()));
    let message = match panic {
        Ok(_) => panic!("get() on an unloaded relation must panic"),
        Err(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default(),
    };
    assert!(
        message.contains(".include(User::fields().todos())"),
        "{message}"
    );
    let user = User::filter_by_id(user.id)
        .include(User::fields().todos())
        .get(&mut db)
        .await?;
    assert!(user.todos.get().is_empty(), "loaded, and empty");
    Ok(())
}

#[derive(Debug, toasty::Model)]
struct A {
    #[key]
    #[auto]
    id: uuid::Uuid,
    #[has_many]
    bs: toasty::HasMany<B>,
}

#[derive(Debug, toasty::Model)]
struct B {
    #[key]
    #[auto]
    id: uuid::Uuid,
    #[index]
    a_id: uuid::Uuid,
    #[belongs_to]
    a: toasty::BelongsTo<A>,
}

/// The plans relations compile to: a nested create is one plan whose child insert takes
/// the parent's generated key from step #0; a cascading delete reads the parents, then
/// deletes children before parents; includes are reads after the statement.
#[tokio::test]
async fn plan_shapes() -> toasty::Result<()> {
    let db = toasty::Db::builder()
        .models(toasty::models!(User, Todo))
        .connect("memory:")
        .await?;
    let plan = User::create()
        .name("a")
        .email("b")
        .with_todos(|t| t.title("x"))
        .explain(&db)?;
    assert_eq!(
        plan,
        "#0 insert users (name, email) 1 row(s) RETURNING id\n\
         #1 insert todos (user_id, title) 1 row(s) RETURNING id, 1 cell(s) filled from the \
         keys returned by #0\n\
         => 1 inserted User record(s), User.id generated by #0; 1 inserted Todo record(s), \
         Todo.id generated by #1, into User.todos"
    );

    let key = uuid::Uuid::nil();
    let sql = toasty::Db::builder()
        .models(toasty::models!(A, B))
        .connect("memory:")
        .await?;
    let kv = toasty::Db::builder()
        .models(toasty::models!(A, B))
        .connect("memory:kv")
        .await?;
    assert_eq!(
        A::filter_by_id(key).delete().explain(&sql)?,
        "#0 select as WHERE id = uuid(00000000-0000-0000-0000-000000000000)\n\
         #1 delete bs WHERE (a_id) IN the (id) of the rows of #0\n\
         #2 delete as WHERE (id) IN the (id) of the rows of #0\n\
         => count from #2"
    );
    assert_eq!(
        A::filter_by_id(key).delete().explain(&kv)?,
        "#0 kv fetch as: get 1 key(s) [uuid(00000000-0000-0000-0000-000000000000)]\n\
         #1 evaluate over #0: WHERE id = uuid(00000000-0000-0000-0000-000000000000)\n\
         #2 kv fetch bs through its index: (a_id) IN the (id) of the rows of #1\n\
         #3 kv write: delete the bs rows of #2 if unchanged, releasing their unique values\n\
         #4 kv write: delete the as rows of #1 if unchanged, releasing their unique values\n\
         => count from #1"
    );
    assert_eq!(
        A::create().with_bs(|b| b).explain(&kv)?,
        "#0 kv write: put 1 new as row(s), claiming their unique values\n\
         #1 kv write: put 1 new bs row(s), claiming their unique values\n\
         => 1 inserted A record(s); 1 inserted B record(s), into A.bs"
    );
    assert_eq!(
        A::filter_by_id(key)
            .include(A::fields().bs().a())
            .explain(&sql)?,
        "#0 select as WHERE id = uuid(00000000-0000-0000-0000-000000000000)\n\
         => A records from #0\n\
         + load A.bs: B records where (a_id) IN the (id) of the records above (one read)\n  \
         + load B.a: A records where (id) IN the (a_id) of the records above (one read)"
    );
    Ok(())
}

/// A nested create is atomic on SQL: the failure of a child insert undoes the parent's.
#[tokio::test]
async fn nested_create_rolls_back_the_parent() -> toasty::Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Bin {
        #[key]
        #[auto]
        id: u64,
        #[unique]
        label: String,
        #[has_many]
        parts: toasty::HasMany<Part>,
    }
    #[derive(Debug, toasty::Model)]
    struct Part {
        #[key]
        #[auto]
        id: u64,
        #[index]
        bin_id: u64,
        #[belongs_to(key = bin_id, references = id)]
        bin: toasty::BelongsTo<Bin>,
        #[unique]
        serial: String,
    }
    for url in urls() {
        let mut db = toasty::Db::builder()
            .models(toasty::models!(Bin, Part))
            .connect(url)
            .await?;
        db.push_schema().await?;
        let r = toasty::create!(Bin {
            label: "one",
            parts: [{ serial: "s" }, { serial: "s" }],
        })
        .exec(&mut db)
        .await;
        let err = r.err().map(|e| e.kind());
        assert_eq!(err, Some(toasty::ErrorKind::UniqueViolation), "{url}");
        assert_eq!(Bin::all().count().exec(&mut db).await?, 0, "{url}");
        assert_eq!(Part::all().count().exec(&mut db).await?, 0, "{url}");
    }
    Ok(())
}

/// A model related to itself: an optional manager and the reports that point at it.
#[tokio::test]
async fn self_referential_relation() -> toasty::Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Employee {
        #[key]
        #[auto]
        id: u64,
        name: String,
        #[index]
        manager_id: Option<u64>,
        #[belongs_to(key = manager_id, references = id)]
        manager: toasty::BelongsTo<Option<Employee>>,
        #[has_many(pair = manager)]
        reports: toasty::HasMany<Employee>,
    }
    for url in urls() {
        let mut db = toasty::Db::builder()
            .models(toasty::models!(Employee))
            .connect(url)
            .await?;
        db.push_schema().await?;
        let boss = toasty::create!(Employee {
            name: "boss",
            reports: [{ name: "a" }, { name: "b" }],
        })
        .exec(&mut db)
        .await?;
        assert!(boss
            .reports
            .get()
            .iter()
            .all(|e| e.manager_id == Some(boss.id)));
        let a = Employee::filter(Employee::fields().name().eq("a"))
            .include(Employee::fields().manager())
            .get(&mut db)
            .await?;
        let manager = a.manager.get().as_ref().map(|m| m.name.as_str());
        assert_eq!(manager, Some("boss"), "{url}");
        assert!(boss.manager().exec(&mut db).await?.is_none());
        // Deleting the manager keeps the reports, without a manager.
        boss.delete().exec(&mut db).await?;
        let left = Employee::all().exec(&mut db).await?;
        assert_eq!(left.len(), 2, "{url}");
        assert!(left.iter().all(|e| e.manager_id.is_none()), "{url}");
    }
    Ok(())
}

/// A required `#[has_one]` must be created with its parent; a required `#[belongs_to]`
/// whose parent does not exist fails the read that includes it with `NotFound`.
#[tokio::test]
async fn required_relations() -> toasty::Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Account {
        #[key]
        #[auto]
        id: u64,
        #[unique]
        login: String,
        #[has_one]
        settings: toasty::HasOne<Settings>,
    }
    #[derive(Debug, toasty::Model)]
    struct Settings {
        #[key]
        #[auto]
        id: u64,
        #[unique]
        account_id: u64,
        #[belongs_to]
        account: toasty::BelongsTo<Account>,
        theme: String,
    }
    for url in urls() {
        let mut db = toasty::Db::builder()
            .models(toasty::models!(Account, Settings))
            .connect(url)
            .await?;
        db.push_schema().await?;
        let r = toasty::create!(Account { login: "a" }).exec(&mut db).await;
        let err = r.err();
        assert_eq!(
            err.as_ref().map(|e| e.kind()),
            Some(toasty::ErrorKind::InvalidStatement),
            "{url}"
        );
        assert!(
            err.is_some_and(|e| e.message().contains("Account.settings")),
            "{url}"
        );
        let account = toasty::create!(Account {
            login: "a",
            settings: { theme: "dark" },
        })
        .exec(&mut db)
        .await?;
        assert_eq!(account.settings.get().theme, "dark");
        let settings = account.settings().exec(&mut db).await?;
        assert_eq!(settings.account_id, account.id);
        let loaded = Account::filter_by_login("a")
            .include(Account::fields().settings())
            .get(&mut db)
            .await?;
        assert_eq!(loaded.settings.get().theme, "dark");

        // A settings record pointing at no account.
        toasty::create!(Settings {
            account_id: 999,
            theme: "x"
        })
        .exec(&mut db)
        .await?;
        let r = Settings::filter_by_account_id(999)
            .include(Settings::fields().account())
            .get(&mut db)
            .await;
        assert_eq!(
            r.err().map(|e| e.kind()),
            Some(toasty::ErrorKind::NotFound),
            "{url}"
        );
    }
    Ok(())
}

/// The untyped API (what the differential harness drives): models with relations built
/// at runtime, a nested create, a query that includes a relation, a cascading delete.
#[tokio::test]
async fn untyped_relations() -> toasty::Result<()> {
    use toasty::schema::app::{self, ModelId, RelationKind};
    use toasty::{UntypedCreate, Value};
    use toasty_core::stmt;
    let field = |name: &str, ty: toasty::Type, nullable: bool, auto: bool| app::Field {
        name: name.into(),
        column_name: name.into(),
        ty,
        nullable,
        auto: auto.then_some(app::Auto::Increment),
        column_type: None,
    };
    let parent = app::Model {
        name: "M0".into(),
        table_name: "m0".into(),
        fields: vec![field("f0", toasty::Type::I64, false, true)],
        primary_key: vec![0],
        indices: vec![],
    };
    let child = app::Model {
        name: "M1".into(),
        table_name: "m1".into(),
        fields: vec![
            field("f0", toasty::Type::I64, false, true),
            field("f1", toasty::Type::I64, false, false),
        ],
        primary_key: vec![0],
        indices: vec![app::Index {
            fields: vec![1],
            unique: false,
            primary: false,
            name: None,
        }],
    };
    let has_many = app::Relation {
        name: "r0".into(),
        kind: RelationKind::HasMany,
        target: "M1".into(),
        key: vec![],
        references: vec![],
        pair: None,
        optional: false,
        eager: false,
        via: Vec::new(),
    };
    let belongs_to = app::Relation {
        name: "r0".into(),
        kind: RelationKind::BelongsTo,
        target: "M0".into(),
        key: vec!["f1".into()],
        references: vec!["f0".into()],
        pair: None,
        optional: false,
        eager: false,
        via: Vec::new(),
    };
    let models = toasty::ModelSet::new()
        .add_definition_with_relations(parent, vec![has_many])
        .add_definition_with_relations(child, vec![belongs_to]);
    for url in urls() {
        let mut db = toasty::Db::builder()
            .models(models.clone())
            .connect(url)
            .await?;
        db.push_schema().await?;
        let leaf = || UntypedCreate {
            values: vec![None, None],
            nested: vec![],
        };
        let created = db
            .exec_create(
                ModelId(0),
                vec![UntypedCreate {
                    values: vec![None],
                    nested: vec![(0, leaf()), (0, leaf())],
                }],
            )
            .await?;
        let parent_key = created[0].values[0].clone();
        let children = created[0].relations[0].clone().unwrap_or_default();
        assert_eq!(children.len(), 2, "{url}");
        assert!(children.iter().all(|c| c.values[1] == parent_key), "{url}");
        let loaded = db
            .exec_query_including(stmt::Query::all(ModelId(0)), vec![vec![0]])
            .await?;
        assert_eq!(loaded[0].relations[0].as_ref().map(Vec::len), Some(2));
        // Linking moves the first child to a second parent; unlinking through the
        // required foreign key deletes the second child; a `#[belongs_to]` cannot link.
        let other = db
            .exec_create(
                ModelId(0),
                vec![UntypedCreate {
                    values: vec![None],
                    nested: vec![],
                }],
            )
            .await?;
        let other_key = other[0].values[0].clone();
        let first = vec![children[0].values[0].clone()];
        let second = vec![children[1].values[0].clone()];
        db.exec_link(
            ModelId(0),
            0,
            vec![(0, other_key.clone())],
            vec![first.clone()],
            true,
        )
        .await?;
        let mut q = stmt::Query::all(ModelId(1));
        q.filter = Some(stmt::Expr::eq(
            stmt::Expr::Field(1),
            stmt::Expr::Value(other_key.clone()),
        ));
        let moved = db.exec_query(q).await?;
        assert_eq!(moved.len(), 1, "{url}");
        assert_eq!(moved[0][0], first[0], "{url}");
        // Removing a record that belongs to another parent does nothing.
        db.exec_link(
            ModelId(0),
            0,
            vec![(0, other_key.clone())],
            vec![second.clone()],
            false,
        )
        .await?;
        assert_eq!(
            db.exec_count(stmt::Query::all(ModelId(1))).await?,
            2,
            "{url}"
        );
        db.exec_link(
            ModelId(0),
            0,
            vec![(0, parent_key.clone())],
            vec![second],
            false,
        )
        .await?;
        assert_eq!(
            db.exec_count(stmt::Query::all(ModelId(1))).await?,
            1,
            "{url}"
        );
        let refused = db
            .exec_link(
                ModelId(1),
                0,
                vec![(0, first[0].clone())],
                vec![vec![other_key]],
                true,
            )
            .await
            .expect_err("linking through a #[belongs_to]");
        assert_eq!(refused.kind(), toasty::ErrorKind::InvalidStatement, "{url}");
        let deleted = db
            .exec_delete(stmt::Delete {
                selection: stmt::Query::all(ModelId(0)),
            })
            .await?;
        assert_eq!(deleted, 2);
        assert_eq!(db.exec_count(stmt::Query::all(ModelId(1))).await?, 0);
        assert_ne!(parent_key, Value::Null);
    }
    Ok(())
}
