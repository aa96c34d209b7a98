//! "HasOne": an optional and a required `#[has_one]`, reading it, creating through it
//! and with the parent, and pointing it elsewhere with an update (a new record, an
//! existing one, none), with the previous child unlinked (optional foreign key) or
//! deleted (required foreign key).

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    name: String,
    #[has_one]
    profile: toasty::Deferred<Option<Profile>>,
    #[has_one]
    avatar: toasty::Deferred<Option<Avatar>>,
}

/// Optional foreign key: unlinked when replaced.
#[derive(Debug, toasty::Model)]
struct Profile {
    #[key]
    #[auto]
    id: u64,
    #[unique]
    user_id: Option<u64>,
    #[belongs_to(key = user_id, references = id)]
    user: toasty::Deferred<Option<User>>,
    bio: String,
}

/// Required foreign key: deleted when replaced.
#[derive(Debug, toasty::Model)]
struct Avatar {
    #[key]
    #[auto]
    id: u64,
    #[unique]
    user_id: u64,
    #[belongs_to(key = user_id, references = id)]
    user: toasty::Deferred<User>,
    url: String,
}

#[tokio::test]
async fn has_one_read_and_create() {
    crate::on_every_backend!(toasty::models!(User, Profile, Avatar), |db| {
        let alice = toasty::create!(User { name: "Alice" })
            .exec(&mut db)
            .await?;
        assert!(alice.profile().exec(&mut db).await?.is_none());

        let profile = toasty::create!(in alice.profile() { bio: "A person" })
            .exec(&mut db)
            .await?;
        assert_eq!(profile.user_id, Some(alice.id));
        let found = alice.profile().exec(&mut db).await?;
        assert_eq!(found.map(|p| p.bio).as_deref(), Some("A person"));

        let bob = toasty::create!(User {
            name: "Bob",
            profile: { bio: "Builder" },
        })
        .exec(&mut db)
        .await?;
        let found = bob.profile().exec(&mut db).await?;
        assert_eq!(found.map(|p| p.bio).as_deref(), Some("Builder"));
        Ok(())
    });
}

#[tokio::test]
async fn has_one_update_replace_link_unset() {
    crate::on_every_backend!(toasty::models!(User, Profile, Avatar), |db| {
        let mut user = toasty::create!(User {
            name: "Alice",
            profile: { bio: "Old bio" },
            avatar: { url: "old.png" },
        })
        .exec(&mut db)
        .await?;
        let old_profile = user.profile().exec(&mut db).await?;
        let old_avatar = user.avatar().exec(&mut db).await?;

        // Replacing with a new child.
        user.update()
            .profile(toasty::create!(Profile { bio: "New bio" }))
            .exec(&mut db)
            .await?;
        let profile = user.profile().exec(&mut db).await?;
        assert_eq!(profile.map(|p| p.bio).as_deref(), Some("New bio"));
        // The old profile's foreign key is optional: it stays, unlinked.
        if let Some(old) = old_profile {
            let old = Profile::get_by_id(&mut db, old.id).await?;
            assert_eq!(old.user_id, None);
        }

        // The same through update!; the old avatar's foreign key is required: deleted.
        toasty::update!(user { avatar: { url: "new.png" } })
            .exec(&mut db)
            .await?;
        let avatar = user.avatar().exec(&mut db).await?;
        assert_eq!(avatar.map(|a| a.url).as_deref(), Some("new.png"));
        if let Some(old) = old_avatar {
            assert_eq!(Avatar::filter_by_id(old.id).count().exec(&mut db).await?, 0);
        }

        // Associating an existing child, through an update by key.
        let spare = toasty::create!(Profile { bio: "Spare" })
            .exec(&mut db)
            .await?;
        User::filter_by_id(user.id)
            .update()
            .profile(&spare)
            .exec(&mut db)
            .await?;
        let profile = user.profile().exec(&mut db).await?;
        assert_eq!(profile.map(|p| p.id), Some(spare.id));

        // Unsetting an optional has_one.
        user.update().profile(None).exec(&mut db).await?;
        assert!(user.profile().exec(&mut db).await?.is_none());
        let spare = Profile::get_by_id(&mut db, spare.id).await?;
        assert_eq!(spare.user_id, None);
        Ok(())
    });
}
