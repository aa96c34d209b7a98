//! Filter expressions: table-level [`Expr`] trees to SQL predicates.
//!
//! The SQL emitted keeps [`toasty_core::stmt::eval`]'s meaning on every dialect:
//! three-valued `NOT`/`AND`/`OR` and comparisons come from SQL itself; `IN ()` is
//! rewritten (no dialect but SQLite accepts the empty list) to a `CASE` that is NULL for a
//! NULL operand and false otherwise; pattern tests are delegated to [`crate::pattern`];
//! `AND`/`OR` lists to [`crate::junction`] (long lists are grouped, long `OR`s of
//! equalities become `IN`).

use crate::column_type::{bind_type, postgres_cast_type, value_type};
use crate::pattern;
use crate::writer::Writer;
use crate::Dialect;
use toasty_core::schema::db::{self, Table};
use toasty_core::stmt::Expr;
use toasty_core::{Error, Result, Type, Value};

/// Serializes expressions over the columns of one table.
pub(crate) struct ExprWriter<'a> {
    pub(crate) table: &'a Table,
    /// The schema, for the tables of sub-selects (`None` where none can occur).
    pub(crate) schema: Option<&'a db::Schema>,
    /// The collation MySQL string literals without a column are compared under.
    pub(crate) mysql_collation: &'a str,
}

impl<'a> ExprWriter<'a> {
    /// The type of column `i`, or an error naming the table.
    pub(crate) fn column_type(&self, i: usize) -> Result<Type> {
        self.table
            .columns
            .get(i)
            .map(|c| c.ty)
            .ok_or_else(|| self.bad_column(i))
    }

    fn bad_column(&self, i: usize) -> Error {
        Error::invalid_statement(format!(
            "column #{i} does not exist in table `{}`, which has {} columns",
            self.table.name,
            self.table.columns.len()
        ))
    }

    /// Writes a quoted column name.
    pub(crate) fn column(&self, w: &mut Writer, i: usize) -> Result<()> {
        let column = self
            .table
            .columns
            .get(i)
            .ok_or_else(|| self.bad_column(i))?;
        w.ident(&column.name)
    }

    /// The static type of an operand, when it has one (columns only).
    fn operand_type(&self, e: &Expr) -> Result<Option<Type>> {
        Ok(match e {
            Expr::Column(i) => Some(self.column_type(*i)?),
            _ => None,
        })
    }

    /// Writes a boolean condition.
    pub(crate) fn predicate(&self, w: &mut Writer, e: &Expr) -> Result<()> {
        match e {
            Expr::Value(Value::Bool(true)) => w.push("TRUE"),
            Expr::Value(Value::Bool(false)) => w.push("FALSE"),
            Expr::Value(Value::Null) => w.push("NULL"),
            Expr::Value(other) => {
                return Err(Error::invalid_statement(format!(
                    "a filter must be a condition, but it is the literal {other:?}"
                )))
            }
            Expr::Field(i) => return Err(field_error(*i)),
            Expr::Column(i) => {
                let ty = self.column_type(*i)?;
                if ty != Type::Bool {
                    return Err(Error::invalid_statement(format!(
                        "the column `{}` of type {ty} was used as a condition; only bool \
                         columns can be",
                        self.table.columns[*i].name
                    )));
                }
                self.column(w, *i)?;
            }
            Expr::Binary { op, lhs, rhs } => {
                let lt = self.operand_type(lhs)?;
                let rt = self.operand_type(rhs)?;
                w.push("(");
                self.operand(w, lhs, rt)?;
                w.push(" ");
                w.push(op.as_sql());
                w.push(" ");
                self.operand(w, rhs, lt)?;
                w.push(")");
            }
            Expr::And(items) => self.junction(w, items, false, "TRUE")?,
            Expr::Or(items) => self.junction(w, items, true, "FALSE")?,
            Expr::Not(inner) => {
                w.push("(NOT ");
                self.predicate(w, inner)?;
                w.push(")");
            }
            Expr::IsNull(inner) => {
                w.push("(");
                self.operand(w, inner, None)?;
                w.push(" IS NULL)");
            }
            Expr::InList { expr, list } => {
                let ty = self.operand_type(expr)?;
                if list.is_empty() {
                    // `x IN ()`: NULL when x is NULL, false otherwise.
                    w.push("(CASE WHEN ");
                    self.operand(w, expr, None)?;
                    w.push(" IS NULL THEN NULL ELSE FALSE END)");
                } else {
                    w.push("(");
                    self.operand(w, expr, None)?;
                    self.in_values(w, ty, list)?;
                    w.push(")");
                }
            }
            Expr::Related { .. } => {
                return Err(Error::invalid_statement(
                    "a filter through a relation reached the SQL serializer; the engine \
                     rewrites it into a sub-select",
                ))
            }
            Expr::InSelect { lhs, select } => self.in_select(w, lhs, select)?,
            Expr::Pattern { op, expr, pattern } => {
                if let Some(ty) = self.operand_type(expr)? {
                    if ty != Type::String {
                        return Err(Error::invalid_statement(format!(
                            "a string pattern test was applied to a column of type {ty}"
                        )));
                    }
                }
                pattern::write(w, *op, pattern, &mut |w| {
                    self.operand(w, expr, Some(Type::String))
                })?;
            }
        }
        Ok(())
    }

    /// `(lhs) IN (SELECT columns FROM table WHERE filter)`. On MySQL the sub-select is
    /// wrapped in a derived table, which MySQL materializes, so an `UPDATE` or `DELETE`
    /// may select from the table it changes (error 1093 otherwise).
    fn in_select(
        &self,
        w: &mut Writer,
        lhs: &[Expr],
        select: &toasty_core::stmt::SubSelect,
    ) -> Result<()> {
        let schema = self.schema.ok_or_else(|| {
            Error::invalid_statement("a sub-select can only appear in a select, update or delete")
        })?;
        let table = schema.table(db::TableId(select.source))?;
        if lhs.len() != select.columns.len() || lhs.is_empty() {
            return Err(Error::invalid_statement(format!(
                "a sub-select compares {} values with {} columns",
                lhs.len(),
                select.columns.len()
            )));
        }
        let inner = ExprWriter {
            table,
            schema: self.schema,
            mysql_collation: self.mysql_collation,
        };
        w.push("(");
        if lhs.len() > 1 {
            w.push("(");
        }
        for (n, e) in lhs.iter().enumerate() {
            if n > 0 {
                w.push(", ");
            }
            self.operand(w, e, None)?;
        }
        if lhs.len() > 1 {
            w.push(")");
        }
        let mysql = w.dialect == crate::Dialect::Mysql;
        w.push(" IN (");
        if mysql {
            w.push("SELECT * FROM (");
        }
        w.push("SELECT ");
        for (n, &c) in select.columns.iter().enumerate() {
            if n > 0 {
                w.push(", ");
            }
            inner.column(w, c)?;
        }
        w.push(" FROM ");
        w.ident(&table.name)?;
        if !(select.filter.is_true()
            || matches!(&select.filter, Expr::And(items) if items.is_empty()))
        {
            w.push(" WHERE ");
            inner.predicate(w, &select.filter)?;
        }
        if mysql {
            w.push(") AS ");
            w.ident("toasty_sub")?;
        }
        w.push("))");
        Ok(())
    }

    /// Writes the right side of `operand IN (values)`, `values` not empty, where `ty` is
    /// the operand's column type if it is a column.
    ///
    /// On PostgreSQL, when the operand is a column and every value binds as the column's
    /// own type (no cast needed), the list is one array parameter: ` = ANY($n)`. It means
    /// the same as `IN` (true if some element is equal, else NULL if the operand or an
    /// element is NULL, else false), and one prepared statement serves lists of every
    /// length. Otherwise: ` IN (v, ..)` with a parameter per value.
    pub(crate) fn in_values<V: std::borrow::Borrow<Value>>(
        &self,
        w: &mut Writer,
        ty: Option<Type>,
        values: &[V],
    ) -> Result<()> {
        if let (Dialect::Postgres, Some(column)) = (w.dialect, ty) {
            let one_type = values.iter().all(|v| {
                let v = v.borrow();
                !matches!(v, Value::U64(_)) && bind_type(column, v) == column
            });
            if one_type {
                w.push(" = ANY(");
                w.array_param(values.iter().map(|v| v.borrow().clone()).collect(), column);
                w.push(")");
                return Ok(());
            }
        }
        w.push(" IN (");
        for (n, v) in values.iter().enumerate() {
            if n > 0 {
                w.push(", ");
            }
            self.literal(w, v.borrow(), ty)?;
        }
        w.push(")");
        Ok(())
    }

    /// Writes a value operand; `hint` is the type of the column it is compared with.
    fn operand(&self, w: &mut Writer, e: &Expr, hint: Option<Type>) -> Result<()> {
        match e {
            Expr::Column(i) => self.column(w, *i),
            Expr::Value(v) => self.literal(w, v, hint),
            Expr::Field(i) => Err(field_error(*i)),
            other => self.predicate(w, other),
        }
    }

    /// Writes a literal as a bind parameter (`NULL` as the keyword).
    pub(crate) fn literal(&self, w: &mut Writer, v: &Value, hint: Option<Type>) -> Result<()> {
        if v.is_null() {
            w.push("NULL");
            return Ok(());
        }
        let ty = match hint {
            Some(column) => bind_type(column, v),
            None => value_type(v),
        };
        // PostgreSQL infers a parameter's type from its context at prepare time; a value
        // of another family than the column (or with no column) gets an explicit cast.
        let cast = w.dialect == Dialect::Postgres && hint != Some(ty);
        if cast {
            w.push("CAST(");
        }
        w.param_of(v, ty, hint)?;
        if cast {
            w.push(" AS ");
            w.push(postgres_cast_type(ty));
            w.push(")");
            if ty == Type::String {
                w.push(" COLLATE \"C\"");
            }
        }
        // MySQL gives a bare parameter the connection's collation (often
        // case-insensitive); with no column to take a collation from, name it.
        if w.dialect == Dialect::Mysql && hint.is_none() && ty == Type::String {
            w.push(" COLLATE ");
            w.push(self.mysql_collation);
        }
        Ok(())
    }
}

fn field_error(i: usize) -> Error {
    Error::invalid_statement(format!(
        "field #{i} reached the SQL serializer; drivers only accept table-level expressions \
         over columns"
    ))
}
