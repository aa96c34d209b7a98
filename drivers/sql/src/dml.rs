//! `INSERT`, `SELECT`, `UPDATE` and `DELETE` for the SQL operation set.

use crate::check;
use crate::column_type::bind_type;
use crate::expr::ExprWriter;
use crate::writer::Writer;
use crate::{Dialect, Output, Serializer, Statement, SQLITE_ARITH_FUNCTION};
use toasty_core::driver::{Delete, Insert, Select, Update};
use toasty_core::schema::db::{self, Table};
use toasty_core::stmt::{Arith, ArithOp, Direction, Expr, OrderBy, Select as Projection};
use toasty_core::{Error, Result, Type, Value};

impl Serializer {
    /// One `INSERT` per chunk of rows that fits the dialect's parameter limit.
    pub(crate) fn insert(&self, table: &Table, op: &Insert) -> Result<Vec<Statement>> {
        let d = self.dialect;
        check::column_list(table, &op.columns, "insert columns")?;
        check::column_list(table, &op.returning, "returning columns")?;
        let types = self.types_of(table, &op.columns)?;
        for row in &op.rows {
            if row.len() != op.columns.len() {
                return Err(Error::invalid_statement(format!(
                    "an insert into `{}` lists {} columns but a row has {} values",
                    table.name,
                    op.columns.len(),
                    row.len()
                )));
            }
            for (&col, value) in op.columns.iter().zip(row) {
                check::value(table, col, value)?;
            }
        }
        let returning = self.returning_output(table, &op.returning)?;
        if op.columns.is_empty() && d != Dialect::Mysql {
            // Every column is generated: one `DEFAULT VALUES` insert per row.
            let mut out = Vec::new();
            for _ in &op.rows {
                let mut w = Writer::new(d);
                w.push("INSERT INTO ");
                w.ident(&table.name)?;
                w.push(" DEFAULT VALUES");
                let output = self.push_returning(&mut w, table, &op.returning, &returning)?;
                out.push(w.finish(output));
            }
            return Ok(out);
        }
        let per_chunk = (d.max_params() / op.columns.len().max(1)).max(1);
        let mut out = Vec::new();
        for chunk in op.rows.chunks(per_chunk) {
            let mut w = Writer::new(d);
            w.push("INSERT INTO ");
            w.ident(&table.name)?;
            w.push(" (");
            self.column_list(&mut w, table, &op.columns)?;
            w.push(") VALUES ");
            for (r, row) in chunk.iter().enumerate() {
                if r > 0 {
                    w.push(", ");
                }
                w.push("(");
                for (n, (value, ty)) in row.iter().zip(&types).enumerate() {
                    if n > 0 {
                        w.push(", ");
                    }
                    w.param_of(value, bind_type(*ty, value), Some(*ty))?;
                }
                w.push(")");
            }
            let output = self.push_returning(&mut w, table, &op.returning, &returning)?;
            out.push(w.finish(output));
        }
        Ok(out)
    }

    /// `SELECT` of full rows, of the projected columns, or `SELECT COUNT(*)`. A limit or offset without an order
    /// gets `ORDER BY` the primary key.
    pub(crate) fn select(
        &self,
        schema: Option<&db::Schema>,
        table: &Table,
        op: &Select,
    ) -> Result<Vec<Statement>> {
        let mut w = Writer::new(self.dialect);
        let output = match &op.projection {
            Projection::Count => {
                w.push("SELECT COUNT(*) FROM ");
                w.ident(&table.name)?;
                self.where_clause(schema, &mut w, table, &op.filter)?;
                return Ok(vec![w.finish(Output::Count)]);
            }
            Projection::Records => {
                w.push("SELECT ");
                self.all_columns(&mut w, table)?;
                w.push(" FROM ");
                w.ident(&table.name)?;
                Output::Rows(table.columns.iter().map(|c| c.ty).collect())
            }
            Projection::Fields(cols) => {
                // Only the projected columns are read, in the order asked for.
                if cols.is_empty() {
                    return Err(Error::invalid_statement(
                        "a projection needs at least one column",
                    ));
                }
                w.push("SELECT ");
                self.column_list(&mut w, table, cols)?;
                w.push(" FROM ");
                w.ident(&table.name)?;
                let types = cols
                    .iter()
                    .map(|&c| table.columns.get(c).map(|col| col.ty))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        Error::invalid_statement(format!(
                            "a projected column does not exist in table `{}`",
                            table.name
                        ))
                    })?;
                Output::Rows(types)
            }
        };
        self.where_clause(schema, &mut w, table, &op.filter)?;
        if op.order_by.is_empty() && (op.limit.is_some() || op.offset.is_some()) {
            // Without an order, which rows a limit keeps is arbitrary; take them in
            // primary-key order like memdb so every backend keeps the same rows.
            let by_key: Vec<OrderBy> = table
                .primary_key
                .iter()
                .map(|&target| OrderBy {
                    target,
                    direction: Direction::Asc,
                })
                .collect();
            self.order_by(&mut w, table, &by_key)?;
        } else {
            self.order_by(&mut w, table, &op.order_by)?;
        }
        self.limit_offset(&mut w, op.limit, op.offset)?;
        Ok(vec![w.finish(output)])
    }

    /// `UPDATE ... SET ... WHERE ... [RETURNING every column]`.
    ///
    /// With no assignments nothing changes: the statement becomes the equivalent read
    /// (the matching rows, or their count). On MySQL `returning` is not expressible; the
    /// plain `UPDATE` is emitted and the driver re-reads the rows.
    pub(crate) fn update(
        &self,
        schema: Option<&db::Schema>,
        table: &Table,
        op: &Update,
    ) -> Result<Vec<Statement>> {
        let cols: Vec<usize> = op
            .assignments
            .iter()
            .map(|(c, _)| *c)
            .chain(op.arithmetic.iter().map(|(c, _)| *c))
            .collect();
        check::column_list(table, &cols, "assignments")?;
        for (col, value) in &op.assignments {
            check::value(table, *col, value)?;
        }
        for (col, arith) in &op.arithmetic {
            check::arith(table, *col, arith)?;
        }
        if op.assignments.is_empty() && op.arithmetic.is_empty() {
            let select = Select {
                table: table.id,
                filter: op.filter.clone(),
                order_by: Vec::new(),
                limit: None,
                offset: None,
                projection: if op.returning {
                    Projection::Records
                } else {
                    Projection::Count
                },
            };
            return self.select(schema, table, &select);
        }
        let mut w = Writer::new(self.dialect);
        w.push("UPDATE ");
        w.ident(&table.name)?;
        w.push(" SET ");
        let ex = ExprWriter {
            table,
            schema: None,
            mysql_collation: &self.mysql_collation,
        };
        for (n, (col, value)) in op.assignments.iter().enumerate() {
            if n > 0 {
                w.push(", ");
            }
            let ty = ex.column_type(*col)?;
            ex.column(&mut w, *col)?;
            w.push(" = ");
            w.param_of(value, bind_type(ty, value), Some(ty))?;
        }
        for (n, (col, arith)) in op.arithmetic.iter().enumerate() {
            if n > 0 || !op.assignments.is_empty() {
                w.push(", ");
            }
            let ty = ex.column_type(*col)?;
            ex.column(&mut w, *col)?;
            w.push(" = ");
            self.arith(&mut w, &ex, *col, ty, arith)?;
        }
        self.where_clause(schema, &mut w, table, &op.filter)?;
        let output = if op.returning {
            let all: Vec<usize> = (0..table.columns.len()).collect();
            let rows = self.returning_output(table, &all)?;
            self.push_returning(&mut w, table, &all, &rows)?
        } else {
            Output::Affected
        };
        Ok(vec![w.finish(output)])
    }

    /// The new value of column `col` changed by `arith`. PostgreSQL and MySQL compute
    /// `col + ?` / `col - ?` (their native overflow errors, and the engine's check of the
    /// returned rows, make a result outside the field's type `ValueOutOfRange`); SQLite,
    /// which would turn a 64-bit overflow into a float, calls
    /// [`SQLITE_ARITH_FUNCTION`]`(col, ?, '+', 'i8')`, the reference arithmetic, which
    /// fails the statement on a result outside the type. On MySQL, subtracting
    /// `i64::MIN` is written as an addition (MariaDB wraps `0 - i64::MIN`).
    fn arith(
        &self,
        w: &mut Writer,
        ex: &ExprWriter<'_>,
        col: usize,
        ty: Type,
        arith: &Arith,
    ) -> Result<()> {
        let operand = &arith.operand;
        let bind = bind_type(ty, operand);
        if self.dialect == Dialect::Sqlite {
            w.push(SQLITE_ARITH_FUNCTION);
            w.push("(");
            ex.column(w, col)?;
            w.push(", ");
            w.param_of(operand, bind, Some(ty))?;
            w.push(", '");
            w.push(arith.op.as_sql());
            w.push("', '");
            w.push(ty.rust_name());
            w.push("')");
        } else if self.dialect == Dialect::Mysql
            && arith.op == ArithOp::Subtract
            && *operand == Value::I64(i64::MIN)
        {
            // MariaDB computes `0 - -9223372036854775808` as -9223372036854775808 (it
            // negates the operand and wraps); `c + 9223372036854775807 + 1` is the same
            // value, and overflows exactly when the true result does.
            w.push("(");
            ex.column(w, col)?;
            w.push(" + ");
            w.param(Value::I64(i64::MAX), bind_type(ty, &Value::I64(i64::MAX)))?;
            w.push(" + 1)");
        } else {
            ex.column(w, col)?;
            w.push(" ");
            w.push(arith.op.as_sql());
            w.push(" ");
            w.param_of(operand, bind, Some(ty))?;
        }
        Ok(())
    }

    /// `DELETE FROM ... WHERE ...`.
    pub(crate) fn delete(
        &self,
        schema: Option<&db::Schema>,
        table: &Table,
        op: &Delete,
    ) -> Result<Vec<Statement>> {
        let mut w = Writer::new(self.dialect);
        w.push("DELETE FROM ");
        w.ident(&table.name)?;
        self.where_clause(schema, &mut w, table, &op.filter)?;
        Ok(vec![w.finish(Output::Affected)])
    }

    /// ` WHERE <filter>`, omitted for the literal `true` and the empty conjunction.
    pub(crate) fn where_clause(
        &self,
        schema: Option<&db::Schema>,
        w: &mut Writer,
        table: &Table,
        filter: &Expr,
    ) -> Result<()> {
        if filter.is_true() || matches!(filter, Expr::And(items) if items.is_empty()) {
            return Ok(());
        }
        w.push(" WHERE ");
        ExprWriter {
            table,
            schema,
            mysql_collation: &self.mysql_collation,
        }
        .predicate(w, filter)
    }

    /// ` ORDER BY ...` with NULLs first ascending and last descending on every dialect.
    pub(crate) fn order_by(&self, w: &mut Writer, table: &Table, keys: &[OrderBy]) -> Result<()> {
        let ex = ExprWriter {
            table,
            schema: None,
            mysql_collation: &self.mysql_collation,
        };
        for (n, key) in keys.iter().enumerate() {
            w.push(if n == 0 { " ORDER BY " } else { ", " });
            ex.column(w, key.target)?;
            let nullable = table.columns.get(key.target).is_some_and(|c| c.nullable);
            // SQLite and MySQL sort NULL as the smallest value already; PostgreSQL sorts
            // it as the largest, so nullable columns get an explicit NULLS clause.
            let explicit = nullable && self.dialect == Dialect::Postgres;
            match (key.direction, explicit) {
                (Direction::Asc, false) => w.push(" ASC"),
                (Direction::Desc, false) => w.push(" DESC"),
                (Direction::Asc, true) => w.push(" ASC NULLS FIRST"),
                (Direction::Desc, true) => w.push(" DESC NULLS LAST"),
            }
        }
        Ok(())
    }

    fn limit_offset(&self, w: &mut Writer, limit: Option<u64>, offset: Option<u64>) -> Result<()> {
        let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        // SQLite re-prepares a statement on every execution when LIMIT or OFFSET is a
        // bound parameter (its planner uses their values), which defeats the statement
        // cache; these are integers the engine produced, so SQLite gets literals. The
        // other dialects bind them.
        let number = |w: &mut Writer, v: u64| -> Result<()> {
            if self.dialect == Dialect::Sqlite {
                w.push(&int(v).to_string());
                Ok(())
            } else {
                w.param(Value::I64(int(v)), Type::I64)
            }
        };
        match (limit, offset) {
            (None, None) => {}
            (Some(l), None) => {
                w.push(" LIMIT ");
                number(w, l)?;
            }
            (Some(l), Some(o)) => {
                w.push(" LIMIT ");
                number(w, l)?;
                w.push(" OFFSET ");
                number(w, o)?;
            }
            (None, Some(o)) => {
                match self.dialect {
                    Dialect::Sqlite => w.push(" LIMIT -1"),
                    Dialect::Mysql => w.push(" LIMIT 18446744073709551615"),
                    Dialect::Postgres => {}
                }
                w.push(" OFFSET ");
                number(w, o)?;
            }
        }
        Ok(())
    }

    /// Writes every column of `table`, in table order.
    pub(crate) fn all_columns(&self, w: &mut Writer, table: &Table) -> Result<()> {
        let all: Vec<usize> = (0..table.columns.len()).collect();
        self.column_list(w, table, &all)
    }

    fn types_of(&self, table: &Table, cols: &[usize]) -> Result<Vec<Type>> {
        let ex = ExprWriter {
            table,
            schema: None,
            mysql_collation: &self.mysql_collation,
        };
        cols.iter().map(|&c| ex.column_type(c)).collect()
    }

    /// The output of a write that returns `cols` (count when empty).
    fn returning_output(&self, table: &Table, cols: &[usize]) -> Result<Output> {
        if cols.is_empty() {
            Ok(Output::Affected)
        } else {
            Ok(Output::Rows(self.types_of(table, cols)?))
        }
    }

    /// Appends ` RETURNING ...` where the dialect has it and returns the statement's
    /// output; on MySQL the write reports affected rows and the driver reads keys.
    fn push_returning(
        &self,
        w: &mut Writer,
        table: &Table,
        cols: &[usize],
        output: &Output,
    ) -> Result<Output> {
        if cols.is_empty() || !self.dialect.supports_returning() {
            return Ok(Output::Affected);
        }
        w.push(" RETURNING ");
        self.column_list(w, table, cols)?;
        Ok(output.clone())
    }
}
