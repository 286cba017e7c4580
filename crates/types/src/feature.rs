//! [`Feature`]: an optional audio feature value in four bytes.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An optional `f32` audio feature, stored in 4 bytes with NaN for "missing"
/// (`Option<f32>` takes 8): a catalog of a million tracks holds nine of them per track.
///
/// It reads and writes as `Option<f32>` everywhere (JSON, the postcard artifact, the OpenAPI
/// schema), so the wire formats are those of `Option<f32>`. A NaN given in is missing.
#[derive(Clone, Copy)]
pub struct Feature(f32);

impl Feature {
    /// A missing value.
    pub const MISSING: Feature = Feature(f32::NAN);

    /// The value, or `None` when missing.
    pub fn get(self) -> Option<f32> {
        (!self.0.is_nan()).then_some(self.0)
    }

    /// True when the value is known.
    pub fn is_some(self) -> bool {
        !self.0.is_nan()
    }

    /// True when the value is missing.
    pub fn is_none(self) -> bool {
        self.0.is_nan()
    }
}

impl Default for Feature {
    fn default() -> Self {
        Feature::MISSING
    }
}

impl From<Option<f32>> for Feature {
    fn from(v: Option<f32>) -> Self {
        Feature(v.unwrap_or(f32::NAN))
    }
}

impl From<f32> for Feature {
    fn from(v: f32) -> Self {
        Feature(v)
    }
}

impl From<Feature> for Option<f32> {
    fn from(f: Feature) -> Self {
        f.get()
    }
}

impl PartialEq for Feature {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl fmt::Debug for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

impl Serialize for Feature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Feature {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<f32>::deserialize(d).map(Feature::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_known_values() {
        assert_eq!(Feature::default().get(), None);
        assert_eq!(Feature::from(Some(0.25)).get(), Some(0.25));
        assert_eq!(Feature::from(None).get(), None);
        assert_eq!(Feature::from(f32::NAN).get(), None);
        assert_eq!(Feature::from(-0.0).get(), Some(-0.0));
        assert_eq!(Feature::MISSING, Feature::from(None));
        assert_ne!(Feature::MISSING, Feature::from(0.0));
        assert_eq!(std::mem::size_of::<Feature>(), 4);
    }

    #[test]
    fn reads_and_writes_as_an_option() {
        for v in [None, Some(0.5f32), Some(-60.0)] {
            let json = serde_json::to_string(&Feature::from(v)).unwrap();
            assert_eq!(json, serde_json::to_string(&v).unwrap());
            let back: Feature = serde_json::from_str(&json).unwrap();
            assert_eq!(back.get(), v);
        }
    }
}
