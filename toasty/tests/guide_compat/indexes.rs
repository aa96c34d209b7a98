//! "Indexes and Unique Constraints": field and struct indexes, names, generated
//! accessors (including `get_by_*` on a non-unique index and prefixes of composite
//! indexes).

#[derive(Debug, toasty::Model)]
#[index(name = "scores_by_game", game_title, top_score)]
struct GameScore {
    #[key]
    #[auto]
    id: u64,
    #[index]
    user_id: String,
    game_title: String,
    top_score: i64,
}

#[derive(Debug, toasty::Model)]
#[unique(coa_id, combination_hash)]
struct AccountCombination {
    #[key]
    #[auto]
    id: u64,
    coa_id: i64,
    combination_hash: String,
}

#[tokio::test]
async fn indexes() {
    crate::on_every_backend!(toasty::models!(GameScore, AccountCombination), |db| {
        let names: Vec<String> = db.schema().db.tables[0]
            .indices
            .iter()
            .map(|i| i.name.clone())
            .collect();
        assert_eq!(names, ["index_game_scores_by_user_id", "scores_by_game"]);

        toasty::create!(GameScore::[
            { user_id: "u1", game_title: "chess", top_score: 10 },
            { user_id: "u2", game_title: "chess", top_score: 20 },
            { user_id: "u2", game_title: "go", top_score: 5 },
        ])
        .exec(&mut db)
        .await?;
        // A composite index's leading field gets its own accessors.
        assert_eq!(
            GameScore::filter_by_game_title("chess")
                .exec(&mut db)
                .await?
                .len(),
            2
        );
        let s = GameScore::get_by_game_title_and_top_score(&mut db, "go", 5).await?;
        assert_eq!(s.user_id, "u2");
        // get_by_* on a non-unique index: exactly one record, or an error.
        assert_eq!(
            GameScore::get_by_user_id(&mut db, "u1").await?.top_score,
            10
        );
        let err = GameScore::get_by_user_id(&mut db, "u2").await.unwrap_err();
        assert_eq!(err.kind(), toasty::ErrorKind::TooManyRecords);
        let err = GameScore::get_by_user_id(&mut db, "nobody")
            .await
            .unwrap_err();
        assert!(err.is_record_not_found());

        toasty::create!(AccountCombination {
            coa_id: 1,
            combination_hash: "h"
        })
        .exec(&mut db)
        .await?;
        let err = toasty::create!(AccountCombination {
            coa_id: 1,
            combination_hash: "h"
        })
        .exec(&mut db)
        .await
        .unwrap_err();
        assert!(err.is_unique_violation());
        Ok(())
    });
}
