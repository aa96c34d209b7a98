//! A Toasty table as DynamoDB items: attribute names, rows to items and back, keys, and
//! the claim tables of unique indexes.
//!
//! * Every column is an attribute named like the column; NULL is a missing attribute.
//! * The table's key schema is its primary key (partition key, then the sort key).
//! * Each secondary index is a global secondary index of the same name whose key schema
//!   is the index's columns, projecting every attribute.
//! * Each unique index also has a claim table, `<table>.<index>`, whose key schema is
//!   the index's columns (same attribute names and encodings) and whose items also hold
//!   the primary key of the record holding the value, as `owner:<column>` attributes.

use crate::check::column_label;
use crate::codec::{self, Lookup, MAX_ITEM_BYTES};
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use toasty_core::schema::db;
use toasty_core::{Error, Result, Value};

/// One DynamoDB item.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// The prefix of the owner attributes of a claim item.
pub(crate) const OWNER_PREFIX: &str = "owner:";

/// A table's mapping to items.
pub(crate) struct TableMap<'a> {
    pub(crate) def: &'a db::Table,
    keyed: Vec<bool>,
}

impl<'a> TableMap<'a> {
    pub(crate) fn new(def: &'a db::Table) -> TableMap<'a> {
        TableMap {
            keyed: (0..def.columns.len())
                .map(|c| codec::is_keyed(def, c))
                .collect(),
            def,
        }
    }

    /// The attribute name of column `col`.
    pub(crate) fn attr(&self, col: usize) -> &'a str {
        self.def
            .columns
            .get(col)
            .map(|c| c.name.as_str())
            .unwrap_or("")
    }

    fn ty(&self, col: usize) -> Result<toasty_core::Type> {
        self.def.columns.get(col).map(|c| c.ty).ok_or_else(|| {
            Error::invalid_statement(format!("no column #{col} in `{}`", self.def.name))
        })
    }

    /// Encodes a checked value of column `col` (`None` for NULL).
    pub(crate) fn encode(&self, col: usize, value: &Value) -> Result<Option<AttributeValue>> {
        codec::encode(
            self.ty(col)?,
            self.keyed.get(col).copied().unwrap_or(true),
            value,
        )
    }

    /// Encodes a value that must not be NULL (a key value), checked.
    pub(crate) fn encode_key_value(&self, col: usize, value: &Value) -> Result<AttributeValue> {
        self.encode(col, value)?.ok_or_else(|| {
            Error::invalid_value(format!(
                "{} is part of a key and cannot be NULL",
                column_label(self.def, col)
            ))
        })
    }

    /// Encodes a value to look it up in key column `col` (see [`codec::lookup`]).
    pub(crate) fn lookup(&self, col: usize, value: &Value) -> Result<Lookup> {
        codec::lookup(self.ty(col)?, value)
    }

    /// The item of a full row, refused when larger than DynamoDB's 400 KB.
    pub(crate) fn item(&self, row: &[Value]) -> Result<Item> {
        let mut item = Item::with_capacity(row.len());
        let mut size = 0;
        for (col, value) in row.iter().enumerate() {
            if let Some(av) = self.encode(col, value)? {
                let name = self.attr(col);
                size += codec::attribute_size(name, &av);
                item.insert(name.to_string(), av);
            }
        }
        if size > MAX_ITEM_BYTES {
            return Err(Error::out_of_range(format!(
                "a `{}` record takes {size} bytes as a DynamoDB item, but an item holds at \
                 most {MAX_ITEM_BYTES} bytes (400 KB)",
                self.def.name
            )));
        }
        Ok(item)
    }

    /// The key attributes of a primary key (one non-NULL value per key column, checked).
    pub(crate) fn key(&self, key: &[Value]) -> Result<Item> {
        crate::check::check_key(self.def, key)?;
        let mut item = Item::with_capacity(key.len());
        for (&col, value) in self.def.primary_key.iter().zip(key) {
            item.insert(
                self.attr(col).to_string(),
                self.encode_key_value(col, value)?,
            );
        }
        Ok(item)
    }

    /// The key attributes to look up `key`, or `None` when no stored item can have it
    /// (NULL in it, a value of another kind).
    pub(crate) fn lookup_key(&self, key: &[Value]) -> Result<Option<Item>> {
        crate::check::check_key(self.def, key)?;
        let mut item = Item::with_capacity(key.len());
        for (&col, value) in self.def.primary_key.iter().zip(key) {
            match self.lookup(col, value) {
                Ok(Lookup::Exact(av)) => {
                    item.insert(self.attr(col).to_string(), av);
                }
                Ok(Lookup::Nothing) | Err(_) => return Ok(None),
            }
        }
        Ok(Some(item))
    }

    /// A byte string identifying the primary key of `item`.
    pub(crate) fn key_id(&self, item: &Item) -> Vec<u8> {
        codec::key_id(self.def.primary_key.iter().map(|&c| item.get(self.attr(c))))
    }

    /// The row of an item (every column, in order).
    pub(crate) fn row(&self, item: &Item) -> Result<Vec<Value>> {
        let mut row = Vec::with_capacity(self.def.columns.len());
        for (col, column) in self.def.columns.iter().enumerate() {
            let value = codec::decode(
                column.ty,
                self.keyed.get(col).copied().unwrap_or(true),
                item.get(&column.name),
                &|| {
                    format!(
                        "the attribute `{}` of an item of `{}`",
                        column.name, self.def.name
                    )
                },
            )?;
            if value.is_null() && !column.nullable {
                return Err(Error::driver(format!(
                    "an item of `{}` has no attribute `{}`, but the column is not nullable; \
                     the item was not written by Toasty",
                    self.def.name, column.name
                )));
            }
            row.push(value);
        }
        Ok(row)
    }

    /// The unique index at position `index`, or `InvalidStatement`.
    pub(crate) fn unique_index(&self, index: usize) -> Result<&'a db::Index> {
        self.def
            .indices
            .get(index)
            .filter(|i| i.unique)
            .ok_or_else(|| {
                Error::invalid_statement(format!(
                    "index #{index} of table `{}` is not a unique index; claims exist only \
                     for unique secondary indexes",
                    self.def.name
                ))
            })
    }

    /// The claim item's key for `values` of unique index `index` (`None` when a value is
    /// NULL: such an entry is never claimed).
    pub(crate) fn claim_key(&self, index: &db::Index, values: &[Value]) -> Result<Option<Item>> {
        if values.len() != index.columns.len() {
            return Err(Error::invalid_statement(format!(
                "a claim on the unique index `{}` has {} values but the index has {} columns",
                index.name,
                values.len(),
                index.columns.len()
            )));
        }
        let mut item = Item::with_capacity(values.len());
        for (&col, value) in index.columns.iter().zip(values) {
            match self.encode(col, value)? {
                Some(av) => {
                    item.insert(self.attr(col).to_string(), av);
                }
                None => return Ok(None),
            }
        }
        Ok(Some(item))
    }

    /// The owner attributes of a claim held by the record with primary key `key`.
    pub(crate) fn owner(&self, key: &[Value]) -> Result<Vec<(String, AttributeValue)>> {
        crate::check::check_key(self.def, key)?;
        self.def
            .primary_key
            .iter()
            .zip(key)
            .map(|(&col, value)| {
                Ok((
                    format!("{OWNER_PREFIX}{}", self.attr(col)),
                    self.encode_key_value(col, value)?,
                ))
            })
            .collect()
    }
}

/// The name of the claim table of a unique index.
pub(crate) fn claim_table(def: &db::Table, index: &db::Index) -> String {
    format!("{}.{}", def.name, index.name)
}

/// The claim tables of a table, one per unique index.
pub(crate) fn claim_tables(def: &db::Table) -> Vec<String> {
    def.indices
        .iter()
        .filter(|i| i.unique)
        .map(|i| claim_table(def, i))
        .collect()
}
