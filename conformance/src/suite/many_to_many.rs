//! Many-to-many relations through a join model: `#[has_many(via = memberships.group)]`
//! navigation (`user.groups()`), filters (`.any(..)` on the derived relation and on the
//! join model), `.include(..)` (one read per step of the path, distinct targets), the
//! read-only rule, and what deleting an endpoint does.
//!
//! Navigation and filters through a `via` relation need a sub-select: key-value stores
//! refuse them with `Unsupported`. `.include(..)` reads each step through the foreign
//! key's index, so it works there too.

use super::support::expect_err;
use crate::Test;
use toasty::{ErrorKind, Result};
use uuid::Uuid;

#[derive(Debug, toasty::Model)]
struct Member {
    #[key]
    #[auto]
    id: Uuid,
    name: String,
    #[has_many]
    memberships: toasty::Deferred<Vec<Membership>>,
    #[has_many(via = memberships.group)]
    groups: toasty::Deferred<Vec<Team>>,
}

#[derive(Debug, toasty::Model)]
struct Team {
    #[key]
    #[auto]
    id: Uuid,
    name: String,
    #[has_many]
    memberships: toasty::Deferred<Vec<Membership>>,
    #[has_many(via = memberships.member)]
    members: toasty::Deferred<Vec<Member>>,
}

#[derive(Debug, toasty::Model)]
#[key(member_id, group_id)]
struct Membership {
    #[index]
    member_id: Uuid,
    #[belongs_to(key = member_id, references = id)]
    member: toasty::Deferred<Member>,
    #[index]
    group_id: Uuid,
    #[belongs_to(key = group_id, references = id)]
    group: toasty::Deferred<Team>,
    role: String,
}

fn models() -> toasty::ModelSet {
    toasty::models!(Member, Team, Membership)
}

fn sorted<T>(items: &[T], name: impl Fn(&T) -> &str) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|x| name(x).to_string()).collect();
    v.sort();
    v
}

struct World {
    ada: Member,
    bob: Member,
    cy: Member,
    rust: Team,
    go: Team,
}

/// Ada: rust (owner), go (member). Bob: rust (member). Cy: none. Teams: rust, go, zig.
async fn seed(db: &mut toasty::Db) -> Result<World> {
    let ada = toasty::create!(Member { name: "Ada" }).exec(db).await?;
    let bob = toasty::create!(Member { name: "Bob" }).exec(db).await?;
    let cy = toasty::create!(Member { name: "Cy" }).exec(db).await?;
    let rust = toasty::create!(Team { name: "rust" }).exec(db).await?;
    let go = toasty::create!(Team { name: "go" }).exec(db).await?;
    toasty::create!(Team { name: "zig" }).exec(db).await?;
    for (m, g, role) in [
        (&ada, &rust, "owner"),
        (&ada, &go, "member"),
        (&bob, &rust, "member"),
    ] {
        toasty::create!(Membership {
            member: m,
            group: g,
            role: role,
        })
        .exec(db)
        .await?;
    }
    Ok(World {
        ada,
        bob,
        cy,
        rust,
        go,
    })
}

/// `member.groups()` and `team.members()`: the opposite endpoints, filtered and ordered
/// like any relation query; the join model stays an ordinary model.
pub async fn many_to_many_navigation(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    let w = seed(&mut db).await?;
    // The join model's own relations work on every backend.
    let ms = w.ada.memberships().exec(&mut db).await?;
    assert_eq!(ms.len(), 2);
    if t.is_kv() {
        let r = w.ada.groups().exec(&mut db).await;
        expect_err(r, ErrorKind::Unsupported, &["relation"]);
        return Ok(());
    }
    let groups = w.ada.groups().exec(&mut db).await?;
    assert_eq!(sorted(&groups, |g| &g.name), ["go", "rust"]);
    let groups = w
        .ada
        .groups()
        .filter(Team::fields().name().eq("rust"))
        .exec(&mut db)
        .await?;
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].id, w.rust.id);
    let ordered = w
        .ada
        .groups()
        .order_by(Team::fields().name().desc())
        .exec(&mut db)
        .await?;
    let names: Vec<&str> = ordered.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["rust", "go"]);
    assert_eq!(w.cy.groups().exec(&mut db).await?.len(), 0);
    assert_eq!(w.bob.groups().count().exec(&mut db).await?, 1);
    let members = w.rust.members().exec(&mut db).await?;
    assert_eq!(sorted(&members, |m| &m.name), ["Ada", "Bob"]);
    let members = w.go.members().exec(&mut db).await?;
    assert_eq!(sorted(&members, |m| &m.name), ["Ada"]);
    Ok(())
}

/// `.any(..)` on the derived relation (endpoint fields) and on the join relation (join
/// fields, and through it to the opposite endpoint).
pub async fn many_to_many_filter(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    seed(&mut db).await?;
    let in_rust = Member::fields()
        .groups()
        .any(Team::fields().name().eq("rust"));
    if t.is_kv() {
        let r = Member::filter(in_rust).exec(&mut db).await;
        expect_err(r, ErrorKind::Unsupported, &["relation"]);
        return Ok(());
    }
    let found = Member::filter(in_rust.clone()).exec(&mut db).await?;
    assert_eq!(sorted(&found, |m| &m.name), ["Ada", "Bob"]);
    let found = Member::filter(in_rust.not()).exec(&mut db).await?;
    assert_eq!(sorted(&found, |m| &m.name), ["Cy"]);
    let owners = Member::filter(
        Member::fields()
            .memberships()
            .any(Membership::fields().role().eq("owner")),
    )
    .exec(&mut db)
    .await?;
    assert_eq!(sorted(&owners, |m| &m.name), ["Ada"]);
    let in_go = Member::filter(
        Member::fields()
            .memberships()
            .any(Membership::fields().group().name().eq("go")),
    )
    .exec(&mut db)
    .await?;
    assert_eq!(sorted(&in_go, |m| &m.name), ["Ada"]);
    let empty_teams = Team::filter(
        Team::fields()
            .members()
            .all(Member::fields().name().eq("x")),
    )
    .exec(&mut db)
    .await?;
    assert_eq!(sorted(&empty_teams, |g| &g.name), ["zig"]);
    Ok(())
}

/// `.include(..)` of a `via` relation: each record gets the distinct targets, one read
/// per step of the path (through the foreign key's index on key-value stores).
pub async fn many_to_many_include(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    let w = seed(&mut db).await?;
    let ids = [w.ada.id, w.bob.id, w.cy.id];
    let members = Member::filter(Member::fields().id().in_list(ids))
        .include(Member::fields().groups())
        .exec(&mut db)
        .await?;
    assert_eq!(members.len(), 3);
    for m in &members {
        let groups = sorted(m.groups.get(), |g| &g.name);
        let want: &[&str] = match m.name.as_str() {
            "Ada" => &["go", "rust"],
            "Bob" => &["rust"],
            _ => &[],
        };
        assert_eq!(groups, want, "groups of {}", m.name);
        assert!(m.memberships.try_get().is_none());
    }
    // Nested: the groups' members.
    let ada = Member::filter(Member::fields().id().eq(w.ada.id))
        .include(Member::fields().groups().members())
        .exec(&mut db)
        .await?;
    let mut seen: Vec<(String, Vec<String>)> = ada[0]
        .groups
        .get()
        .iter()
        .map(|g| (g.name.clone(), sorted(g.members.get(), |m| &m.name)))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("go".to_string(), vec!["Ada".to_string()]),
            (
                "rust".to_string(),
                vec!["Ada".to_string(), "Bob".to_string()]
            ),
        ]
    );
    Ok(())
}

/// A `via` relation is read-only; deleting an endpoint deletes its join records (their
/// foreign key is required) and leaves the other endpoint.
pub async fn many_to_many_write_rules(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(models()).await?;
    let w = seed(&mut db).await?;
    let r = w.ada.groups().create().name("new").exec(&mut db).await;
    expect_err(r, ErrorKind::InvalidStatement, &["read-only"]);
    w.ada.delete().exec(&mut db).await?;
    let left = Membership::filter(Membership::fields().group_id().eq(w.rust.id))
        .exec(&mut db)
        .await?;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].member_id, w.bob.id);
    assert_eq!(w.ada.memberships().exec(&mut db).await?.len(), 0);
    let rust = Team::get_by_id(&mut db, w.rust.id).await?;
    assert_eq!(rust.name, "rust");
    let go = Team::get_by_id(&mut db, w.go.id).await?;
    assert_eq!(go.name, "go");
    // Deleting a membership leaves both endpoints.
    let m = &left[0];
    m.delete().exec(&mut db).await?;
    assert_eq!(Member::get_by_id(&mut db, w.bob.id).await?.name, "Bob");
    Ok(())
}
