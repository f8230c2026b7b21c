//! Time frames: when an answering rule or an auto-attendant menu applies. A frame is judged on
//! the wall clock of the domain's time zone at an instant, so "Monday 09:00–17:00" follows the
//! clock across daylight-saving changes.

use crate::values::{InvalidValue, Label, string_value};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

string_value!(
    /// A wall-clock time, `HH:MM`, from `00:00` to `24:00` (the end of the day).
    ClockTime
);
impl ClockTime {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        let minutes = s
            .split_once(':')
            .filter(|(h, m)| h.len() == 2 && m.len() == 2)
            .and_then(|(h, m)| Some((h.parse::<u16>().ok()?, m.parse::<u16>().ok()?)))
            .filter(|(h, m)| *m < 60 && (*h < 24 || (*h == 24 && *m == 0)));
        match minutes {
            Some(_) => Ok(ClockTime(s.to_owned())),
            None => Err(InvalidValue(
                "a time of day is HH:MM, from 00:00 to 24:00".into(),
            )),
        }
    }
    /// Minutes after midnight (0..=1440).
    pub fn minutes(&self) -> u16 {
        let (h, m) = self.0.split_at(2);
        h.parse::<u16>().unwrap_or(0) * 60 + m[1..].parse::<u16>().unwrap_or(0)
    }
}

string_value!(
    /// A calendar date, `YYYY-MM-DD`.
    CivilDate
);
impl CivilDate {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        match s.parse::<jiff::civil::Date>() {
            Ok(d) if s.len() == 10 => Ok(CivilDate(d.to_string())),
            _ => Err(InvalidValue("a date is YYYY-MM-DD, e.g. 2026-12-25".into())),
        }
    }
    pub fn date(&self) -> jiff::civil::Date {
        self.0.parse().unwrap_or_default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    /// Monday 0 … Sunday 6.
    pub fn index(self) -> u8 {
        self as u8
    }
}

/// Some days of the week, from `start` to `end` on each. An `end` before `start` runs past
/// midnight into the next day (22:00–06:00).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklySpan {
    pub days: Vec<Weekday>,
    pub start: ClockTime,
    pub end: ClockTime,
}

/// From `from` at `start` (default 00:00) to `to` at `end` (default 24:00), continuously.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    pub from: CivilDate,
    pub to: CivilDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<ClockTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<ClockTime>,
}

/// A whole day: every year on `month`/`day`, or once when `year` is given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub name: Label,
    pub month: u8,
    pub day: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i16>,
}

/// When a time frame is active.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    Always,
    DaysOfWeek { spans: Vec<WeeklySpan> },
    Dates { ranges: Vec<DateRange> },
    Holidays { holidays: Vec<Holiday> },
}

/// A field that is well formed but does not make sense, with the field's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl Schedule {
    /// Checks that types alone cannot express.
    pub fn check(&self) -> Result<(), FieldError> {
        match self {
            Schedule::Always => Ok(()),
            Schedule::DaysOfWeek { spans } => {
                if spans.is_empty() {
                    return Err(FieldError::new("schedule.spans", "give at least one span"));
                }
                for (i, span) in spans.iter().enumerate() {
                    if span.days.is_empty() {
                        return Err(FieldError::new(
                            format!("schedule.spans[{i}].days"),
                            "give at least one day",
                        ));
                    }
                    if span.start == span.end {
                        return Err(FieldError::new(
                            format!("schedule.spans[{i}].end"),
                            "a span ends at another time than it starts",
                        ));
                    }
                }
                Ok(())
            }
            Schedule::Dates { ranges } => {
                if ranges.is_empty() {
                    return Err(FieldError::new(
                        "schedule.ranges",
                        "give at least one date range",
                    ));
                }
                for (i, r) in ranges.iter().enumerate() {
                    if r.start_local() >= r.end_local() {
                        return Err(FieldError::new(
                            format!("schedule.ranges[{i}].to"),
                            "a date range ends after it starts",
                        ));
                    }
                }
                Ok(())
            }
            Schedule::Holidays { holidays } => {
                if holidays.is_empty() {
                    return Err(FieldError::new(
                        "schedule.holidays",
                        "give at least one holiday",
                    ));
                }
                for (i, h) in holidays.iter().enumerate() {
                    let year = h.year.unwrap_or(2024); // a leap year, so 29 February is allowed
                    if jiff::civil::Date::new(year, h.month as i8, h.day as i8).is_err() {
                        return Err(FieldError::new(
                            format!("schedule.holidays[{i}].day"),
                            "no such day in that month",
                        ));
                    }
                }
                Ok(())
            }
        }
    }

    /// Is the frame active at `at`, on the wall clock of `tz`?
    pub fn is_active(&self, at: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> bool {
        self.is_active_local(tz.to_datetime(at))
    }

    /// The same judgement on a local date and time (what the wall clock shows).
    pub fn is_active_local(&self, local: jiff::civil::DateTime) -> bool {
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        let weekday = local.weekday().to_monday_zero_offset() as u8;
        match self {
            Schedule::Always => true,
            Schedule::DaysOfWeek { spans } => spans.iter().any(|span| {
                let (start, end) = (span.start.minutes(), span.end.minutes());
                let on = |day: u8| span.days.iter().any(|d| d.index() == day);
                if start < end {
                    on(weekday) && start <= minute && minute < end
                } else {
                    // Past midnight: the evening of a listed day, or the morning after one.
                    (on(weekday) && minute >= start) || (on((weekday + 6) % 7) && minute < end)
                }
            }),
            Schedule::Dates { ranges } => ranges
                .iter()
                .any(|r| r.start_local() <= local && local < r.end_local()),
            Schedule::Holidays { holidays } => holidays.iter().any(|h| {
                local.month() as u8 == h.month
                    && local.day() as u8 == h.day
                    && h.year.is_none_or(|y| y == local.year())
            }),
        }
    }
}

fn at_minutes(date: jiff::civil::Date, minutes: u16) -> jiff::civil::DateTime {
    let day_start = date.to_datetime(jiff::civil::Time::midnight());
    day_start
        .checked_add(jiff::Span::new().minutes(i64::from(minutes)))
        .unwrap_or(day_start)
}

impl DateRange {
    fn start_local(&self) -> jiff::civil::DateTime {
        at_minutes(
            self.from.date(),
            self.start.as_ref().map_or(0, ClockTime::minutes),
        )
    }
    fn end_local(&self) -> jiff::civil::DateTime {
        at_minutes(
            self.to.date(),
            self.end.as_ref().map_or(1440, ClockTime::minutes),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn weekly(days: &[Weekday], start: &str, end: &str) -> Schedule {
        Schedule::DaysOfWeek {
            spans: vec![WeeklySpan {
                days: days.to_vec(),
                start: ClockTime::parse(start).unwrap(),
                end: ClockTime::parse(end).unwrap(),
            }],
        }
    }

    fn at(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn office_hours_follow_the_wall_clock_across_daylight_saving() {
        let ny = jiff::tz::TimeZone::get("America/New_York").unwrap();
        let hours = weekly(&[Weekday::Monday, Weekday::Friday], "09:00", "17:00");
        // Friday 6 March 2026, 09:00 EST = 14:00Z; Monday 9 March, 09:00 EDT = 13:00Z.
        assert!(hours.is_active(at("2026-03-06T14:00:00Z"), &ny));
        assert!(!hours.is_active(at("2026-03-06T13:59:59Z"), &ny));
        assert!(hours.is_active(at("2026-03-09T13:00:00Z"), &ny));
        assert!(!hours.is_active(at("2026-03-09T12:59:59Z"), &ny));
        assert!(!hours.is_active(at("2026-03-09T21:00:00Z"), &ny));
    }

    #[test]
    fn overnight_spans_run_into_the_next_day() {
        let utc = jiff::tz::TimeZone::UTC;
        let night = weekly(&[Weekday::Friday], "22:00", "06:00");
        assert!(night.is_active(at("2026-03-06T23:00:00Z"), &utc)); // Friday
        assert!(night.is_active(at("2026-03-07T05:59:00Z"), &utc)); // Saturday morning
        assert!(!night.is_active(at("2026-03-07T06:00:00Z"), &utc));
        assert!(!night.is_active(at("2026-03-06T05:00:00Z"), &utc)); // Friday morning
    }

    #[test]
    fn dates_and_holidays() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        let xmas = Schedule::Holidays {
            holidays: vec![Holiday {
                name: Label::parse("Christmas").unwrap(),
                month: 12,
                day: 25,
                year: None,
            }],
        };
        assert!(xmas.is_active(at("2030-12-24T23:30:00Z"), &paris)); // 00:30 on the 25th
        assert!(!xmas.is_active(at("2030-12-25T23:30:00Z"), &paris));
        let closure = Schedule::Dates {
            ranges: vec![DateRange {
                from: CivilDate::parse("2026-08-01").unwrap(),
                to: CivilDate::parse("2026-08-02").unwrap(),
                start: Some(ClockTime::parse("12:00").unwrap()),
                end: None,
            }],
        };
        assert!(closure.is_active(at("2026-08-02T21:59:00Z"), &paris));
        assert!(!closure.is_active(at("2026-08-02T22:00:00Z"), &paris));
        assert!(!closure.is_active(at("2026-08-01T09:59:00Z"), &paris));
        assert!(
            Schedule::Holidays {
                holidays: vec![Holiday {
                    name: Label::parse("x").unwrap(),
                    month: 2,
                    day: 30,
                    year: None
                }]
            }
            .check()
            .is_err()
        );
    }

    const ZONES: &[&str] = &[
        "America/New_York",
        "Europe/London",
        "Australia/Sydney",
        "America/Sao_Paulo",
        "Asia/Kolkata",
        "Pacific/Chatham",
        "UTC",
    ];

    /// The wall clock computed without jiff's zoned arithmetic: the zone's UTC offset at the
    /// instant, added to the seconds, then days since the epoch turned into a civil date.
    fn wall_clock(at: i64, tz: &jiff::tz::TimeZone) -> (i64, u8, u16, u8, u8) {
        let offset = i64::from(
            tz.to_offset(jiff::Timestamp::from_second(at).unwrap())
                .seconds(),
        );
        let local = at + offset;
        let days = local.div_euclid(86_400);
        let minute = (local.rem_euclid(86_400) / 60) as u16;
        let weekday = (days + 3).rem_euclid(7) as u8; // 1970-01-01 was a Thursday
        // Civil from days (H. Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        (year, weekday, minute, month, day)
    }

    fn day_of(i: u8) -> Weekday {
        [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ][i as usize % 7]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Weekly spans agree with the independent wall clock, at instants around every
        /// daylight-saving change of 2026 (within two days of them) and anywhere else.
        #[test]
        fn weekly_spans_match_an_independent_wall_clock(
            zone in 0usize..ZONES.len(),
            near_change in any::<bool>(),
            offset in -172_800i64..172_800,
            anywhere in 1_700_000_000i64..1_900_000_000,
            days in proptest::collection::vec(0u8..7, 1..4),
            start in 0u16..1440,
            end in 0u16..1441,
        ) {
            prop_assume!(start != end);
            let tz = jiff::tz::TimeZone::get(ZONES[zone]).unwrap();
            let at = if near_change {
                let changes: Vec<i64> = tz
                    .following(jiff::Timestamp::from_second(1_767_225_600).unwrap())
                    .take(2)
                    .map(|t| t.timestamp().as_second())
                    .collect();
                changes.first().copied().unwrap_or(anywhere) + offset
            } else {
                anywhere
            };
            let clock = |m: u16| ClockTime::parse(&format!("{:02}:{:02}", m / 60, m % 60)).unwrap();
            let span_days: Vec<Weekday> = days.iter().map(|d| day_of(*d)).collect();
            let schedule = Schedule::DaysOfWeek { spans: vec![WeeklySpan { days: span_days, start: clock(start), end: clock(end) }] };
            let (_, weekday, minute, _, _) = wall_clock(at, &tz);
            let expected = if start < end {
                days.contains(&weekday) && start <= minute && minute < end
            } else {
                (days.contains(&weekday) && minute >= start) || (days.contains(&((weekday + 6) % 7)) && minute < end)
            };
            prop_assert_eq!(schedule.is_active(jiff::Timestamp::from_second(at).unwrap(), &tz), expected);
        }

        /// Holidays are whole local days, whatever the zone's offset.
        #[test]
        fn holidays_are_whole_local_days(zone in 0usize..ZONES.len(), at in 1_700_000_000i64..1_900_000_000) {
            let tz = jiff::tz::TimeZone::get(ZONES[zone]).unwrap();
            let (year, _, _, month, day) = wall_clock(at, &tz);
            let holiday = |y: Option<i16>| Schedule::Holidays { holidays: vec![Holiday { name: Label::parse("h").unwrap(), month, day, year: y }] };
            let instant = jiff::Timestamp::from_second(at).unwrap();
            prop_assert!(holiday(None).is_active(instant, &tz));
            prop_assert!(holiday(Some(year as i16)).is_active(instant, &tz));
            prop_assert!(!holiday(Some(year as i16 + 1)).is_active(instant, &tz));
        }

        /// "Every day, all day" is always active, across every transition.
        #[test]
        fn all_week_is_always_active(zone in 0usize..ZONES.len(), at in 1_700_000_000i64..1_900_000_000) {
            let tz = jiff::tz::TimeZone::get(ZONES[zone]).unwrap();
            let all = Schedule::DaysOfWeek { spans: vec![WeeklySpan { days: (0..7).map(day_of).collect(), start: ClockTime::parse("00:00").unwrap(), end: ClockTime::parse("24:00").unwrap() }] };
            prop_assert!(all.is_active(jiff::Timestamp::from_second(at).unwrap(), &tz));
        }

        #[test]
        fn clock_times_parse_or_refuse(raw in "\\PC{0,8}") {
            if let Ok(t) = ClockTime::parse(&raw) {
                prop_assert!(t.minutes() <= 1440);
            }
        }
    }
}
