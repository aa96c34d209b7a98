//! "Filtering with Expressions": comparisons, `in_list`, null checks, `and`/`or`/`not`
//! (and `!`), chained `.filter()`, `starts_with`, `like` and `ilike`.

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    name: String,
    #[index]
    country: String,
    age: i64,
    active: bool,
    bio: Option<String>,
}

fn names(users: Vec<User>) -> Vec<String> {
    let mut names: Vec<String> = users.into_iter().map(|u| u.name).collect();
    names.sort();
    names
}

#[tokio::test]
async fn filter_expressions() {
    crate::on_every_backend!(toasty::models!(User), |db| {
        for (name, country, age, active, bio) in [
            ("Alice", "US", 35, true, Some("Likes Rust")),
            ("alfred", "CA", 28, false, None),
            ("ALICIA", "MX", 41, true, None),
            ("Bob", "US", 35, false, Some("Plays chess")),
            ("Älva", "SE", 22, true, None),
        ] {
            toasty::create!(User {
                name,
                country,
                age,
                active,
                bio: bio.map(str::to_string)
            })
            .exec(&mut db)
            .await?;
        }
        let f = User::fields;

        let users = User::filter(f().name().eq("Alice")).exec(&mut db).await?;
        assert_eq!(names(users), ["Alice"]);
        let users = User::filter(f().country().ne("US")).exec(&mut db).await?;
        assert_eq!(names(users), ["ALICIA", "alfred", "Älva"]);
        let users = User::filter(f().age().gt(35)).exec(&mut db).await?;
        assert_eq!(names(users), ["ALICIA"]);
        let users = User::filter(f().age().le(28)).exec(&mut db).await?;
        assert_eq!(names(users), ["alfred", "Älva"]);
        let users = User::filter(f().country().in_list(["US", "CA", "MX"]))
            .exec(&mut db)
            .await?;
        assert_eq!(users.len(), 4);
        let users = User::filter(f().bio().is_none()).exec(&mut db).await?;
        assert_eq!(users.len(), 3);
        let users = User::filter(f().bio().is_some()).exec(&mut db).await?;
        assert_eq!(names(users), ["Alice", "Bob"]);

        // (name = "Alice" OR age = 35) AND active = true
        let users = User::filter(
            f().name()
                .eq("Alice")
                .or(f().age().eq(35))
                .and(f().active().eq(true)),
        )
        .exec(&mut db)
        .await?;
        assert_eq!(names(users), ["Alice"]);
        // name = "Alice" OR (age = 35 AND active = true)
        let users = User::filter(
            f().name()
                .eq("Bob")
                .or(f().age().eq(35).and(f().active().eq(true))),
        )
        .exec(&mut db)
        .await?;
        assert_eq!(names(users), ["Alice", "Bob"]);
        let users = User::filter(f().age().gt(20))
            .filter(f().age().lt(40))
            .filter(f().active().eq(true))
            .exec(&mut db)
            .await?;
        assert_eq!(names(users), ["Alice", "Älva"]);
        let users = User::filter(!(f().name().eq("Alice").or(f().name().eq("Bob"))))
            .exec(&mut db)
            .await?;
        assert_eq!(users.len(), 3);
        let users = User::filter(f().name().eq("Alice").not())
            .exec(&mut db)
            .await?;
        assert_eq!(users.len(), 4);

        // String patterns.
        let users = User::filter(f().name().starts_with("Al"))
            .exec(&mut db)
            .await?;
        assert_eq!(names(users), ["Alice"]);
        let users = User::filter(f().name().like("Al%")).exec(&mut db).await?;
        assert_eq!(names(users), ["Alice"]);
        let users = User::filter(f().name().like("_o_")).exec(&mut db).await?;
        assert_eq!(names(users), ["Bob"]);
        // `ilike` ignores ASCII case on every backend (the guide: PostgreSQL only).
        let pattern = String::from("al%");
        let users = User::filter(f().name().ilike(pattern))
            .exec(&mut db)
            .await?;
        assert_eq!(names(users), ["ALICIA", "Alice", "alfred"]);
        Ok(())
    });
}
