//! "Keys and Auto-Generation" and "Defining Models": key forms, `#[auto(..)]`, table
//! names.

#[derive(Debug, toasty::Model)]
struct Category {
    #[key]
    #[auto(increment)]
    id: u64,
    name: String,
}

#[derive(Debug, toasty::Model)]
struct Person {
    #[key]
    #[auto(uuid(v4))]
    id: uuid::Uuid,
    name: String,
}

#[derive(Debug, toasty::Model)]
struct Country {
    #[key]
    #[auto(uuid(v7))]
    id: uuid::Uuid,
    name: String,
}

#[derive(Debug, toasty::Model)]
#[key(student_id, course_id)]
struct Enrollment {
    student_id: u64,
    course_id: u64,
    grade: Option<String>,
}

#[derive(Debug, toasty::Model)]
#[key(partition = user_id, local = id)]
struct Todo {
    id: u64,
    title: String,
    user_id: u64,
}

#[derive(Debug, toasty::Model)]
#[key(partition = [tenant, org], local = [id])]
struct Member {
    tenant: String,
    org: String,
    id: u64,
}

#[tokio::test]
async fn table_names_are_english_plurals() {
    let db = toasty::Db::builder()
        .models(toasty::models!(
            Category, Person, Country, Enrollment, Todo, Member
        ))
        .connect("memory:")
        .await
        .expect("connect");
    let names: Vec<&str> = db
        .schema()
        .db
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "categories",
            "people",
            "countries",
            "enrollments",
            "todos",
            "members"
        ]
    );
}

#[tokio::test]
async fn key_forms() {
    crate::on_every_backend!(
        toasty::models!(Category, Person, Country, Enrollment, Todo, Member),
        |db| {
            let c = toasty::create!(Category { name: "tools" })
                .exec(&mut db)
                .await?;
            assert_eq!(c.id, 1);
            let p = toasty::create!(Person { name: "Ada" })
                .exec(&mut db)
                .await?;
            assert_eq!(p.id.get_version_num(), 4);
            let k = toasty::create!(Country { name: "NZ" })
                .exec(&mut db)
                .await?;
            assert_eq!(k.id.get_version_num(), 7);

            toasty::create!(Enrollment {
                student_id: 1,
                course_id: 101
            })
            .exec(&mut db)
            .await?;
            let e = Enrollment::get_by_student_id_and_course_id(&mut db, &1, &101).await?;
            assert_eq!(e.grade, None);
            assert_eq!(
                Enrollment::filter_by_student_id(1)
                    .exec(&mut db)
                    .await?
                    .len(),
                1
            );

            toasty::create!(Todo::[
                { id: 1, title: "a", user_id: 7 },
                { id: 2, title: "b", user_id: 7 },
            ])
            .exec(&mut db)
            .await?;
            let todo = Todo::get_by_user_id_and_id(&mut db, 7, 2).await?;
            assert_eq!(todo.title, "b");
            assert_eq!(Todo::filter_by_user_id(7).exec(&mut db).await?.len(), 2);

            toasty::create!(Member {
                tenant: "t",
                org: "o",
                id: 1
            })
            .exec(&mut db)
            .await?;
            let m = Member::get_by_tenant_and_org_and_id(&mut db, "t", "o", 1).await?;
            assert_eq!(m.id, 1);
            assert_eq!(
                Member::filter_by_tenant_and_org("t", "o")
                    .exec(&mut db)
                    .await?
                    .len(),
                1
            );
            Ok(())
        }
    );
}

#[derive(Debug, toasty::Model)]
struct Counter {
    #[key]
    id: usize,
    delta: isize,
}

#[tokio::test]
async fn isize_and_usize_fields() {
    crate::on_every_backend!(toasty::models!(Counter), |db| {
        toasty::create!(Counter {
            id: 1usize,
            delta: -5isize
        })
        .exec(&mut db)
        .await?;
        let c = Counter::get_by_id(&mut db, 1usize).await?;
        assert_eq!(c.delta, -5);
        // Like u64: values above i64::MAX are out of range on every backend.
        let err = toasty::create!(Counter {
            id: usize::MAX,
            delta: 0isize
        })
        .exec(&mut db)
        .await
        .unwrap_err();
        assert!(err.is_value_out_of_range(), "{err}");
        Ok(())
    });
}
