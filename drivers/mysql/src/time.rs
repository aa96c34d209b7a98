//! Converting Toasty timestamps (microseconds since the Unix epoch, UTC) to and from
//! MySQL `DATETIME(6)` parts.
//!
//! The session time zone is `+00:00` and `DATETIME` stores no zone, so a timestamp is
//! stored as its UTC calendar date and time of day.

use toasty_core::{Error, Result, TIMESTAMP_MAX_MICROS, TIMESTAMP_MIN_MICROS};

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The calendar parts of a `DATETIME(6)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateTime {
    pub(crate) year: u16,
    pub(crate) month: u8,
    pub(crate) day: u8,
    pub(crate) hour: u8,
    pub(crate) minute: u8,
    pub(crate) second: u8,
    pub(crate) micros: u32,
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_date(year: i64, month: i64, day: i64) -> i64 {
    // Count years from March so the leap day is the last day of the "year".
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn date_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The `DATETIME(6)` parts of a timestamp. Timestamps outside Toasty's storable range
/// (which is `DATETIME`'s) are a [`toasty_core::ErrorKind::ValueOutOfRange`] error.
pub(crate) fn to_datetime(micros: i64) -> Result<DateTime> {
    if !(TIMESTAMP_MIN_MICROS..=TIMESTAMP_MAX_MICROS).contains(&micros) {
        return Err(Error::out_of_range(format!(
            "the timestamp {micros}us is outside the range MySQL's DATETIME stores \
             (1000-01-01T00:00:00Z..=9999-12-31T23:59:59.999999Z)"
        )));
    }
    let days = micros.div_euclid(MICROS_PER_DAY);
    let in_day = micros.rem_euclid(MICROS_PER_DAY);
    let (year, month, day) = date_from_days(days);
    let secs = in_day / 1_000_000;
    Ok(DateTime {
        year: year as u16,
        month: month as u8,
        day: day as u8,
        hour: (secs / 3600) as u8,
        minute: (secs / 60 % 60) as u8,
        second: (secs % 60) as u8,
        micros: (in_day % 1_000_000) as u32,
    })
}

/// The timestamp of `DATETIME(6)` parts.
pub(crate) fn from_datetime(dt: DateTime) -> i64 {
    let days = days_from_date(i64::from(dt.year), i64::from(dt.month), i64::from(dt.day));
    let secs = i64::from(dt.hour) * 3600 + i64::from(dt.minute) * 60 + i64::from(dt.second);
    days * MICROS_PER_DAY + secs * 1_000_000 + i64::from(dt.micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(year: u16, month: u8, day: u8, h: u8, m: u8, s: u8, us: u32) -> DateTime {
        DateTime {
            year,
            month,
            day,
            hour: h,
            minute: m,
            second: s,
            micros: us,
        }
    }

    #[test]
    fn known_instants() {
        assert_eq!(to_datetime(0).unwrap(), dt(1970, 1, 1, 0, 0, 0, 0));
        assert_eq!(
            to_datetime(-1).unwrap(),
            dt(1969, 12, 31, 23, 59, 59, 999_999)
        );
        assert_eq!(
            to_datetime(TIMESTAMP_MIN_MICROS).unwrap(),
            dt(1000, 1, 1, 0, 0, 0, 0)
        );
        assert_eq!(
            to_datetime(TIMESTAMP_MAX_MICROS).unwrap(),
            dt(9999, 12, 31, 23, 59, 59, 999_999)
        );
        // 2000-02-29T12:34:56.789012Z
        assert_eq!(
            to_datetime(951_827_696_789_012).unwrap(),
            dt(2000, 2, 29, 12, 34, 56, 789_012)
        );
    }

    #[test]
    fn out_of_range_is_an_error() {
        assert!(to_datetime(TIMESTAMP_MIN_MICROS - 1).is_err());
        assert!(to_datetime(TIMESTAMP_MAX_MICROS + 1).is_err());
    }

    #[test]
    fn round_trips_across_the_range() {
        let step = (TIMESTAMP_MAX_MICROS - TIMESTAMP_MIN_MICROS) / 100_003;
        let mut t = TIMESTAMP_MIN_MICROS;
        while t <= TIMESTAMP_MAX_MICROS {
            assert_eq!(from_datetime(to_datetime(t).unwrap()), t, "{t}");
            t += step;
        }
    }
}
