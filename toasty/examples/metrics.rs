//! Collects metrics while running a small workload on memdb, then prints them.
//!
//! ```text
//! cargo run -p toasty --example metrics
//! ```

#[derive(Debug, toasty::Model)]
struct Todo {
    #[key]
    #[auto]
    id: u64,
    #[index]
    owner: String,
    title: String,
    done: bool,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> toasty::Result<()> {
    let mut db = toasty::Db::builder()
        .models(toasty::models!(Todo))
        .metrics(true)
        .connect("memory:")
        .await?;
    db.push_schema().await?;

    for i in 0..100 {
        let owner = if i % 2 == 0 { "ada" } else { "grace" };
        toasty::create!(Todo {
            owner: owner,
            title: format!("task {i}"),
            done: false
        })
        .exec(&mut db)
        .await?;
    }
    for id in 1..=100 {
        Todo::get_by_id(&mut db, id).await?;
    }
    let ada = Todo::filter_by_owner("ada").exec(&mut db).await?;
    for todo in ada.iter().take(10) {
        Todo::update_by_id(todo.id).done(true).exec(&mut db).await?;
    }
    // A lookup that finds nothing: the statement succeeds with no row (the error is
    // the terminal's, raised while loading).
    let _ = Todo::get_by_id(&mut db, 1000).await;

    let metrics = db.metrics();
    println!("{metrics}");
    let driver = metrics.phase(toasty::metrics::Phase::Driver);
    println!(
        "{} driver operations, {:?} in total, median at most {:?}",
        driver.count(),
        driver.sum(),
        driver.quantile(0.5)
    );
    Ok(())
}
