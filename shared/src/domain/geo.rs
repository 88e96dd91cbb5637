use serde::{Deserialize, Serialize};

use super::DomainError;

/// A rectangle of latitude/longitude that accepted points must fall in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoBounds {
    pub min_lat: f64,
    pub min_lon: f64,
    pub max_lat: f64,
    pub max_lon: f64,
}

impl GeoBounds {
    /// Tunisia's extent (mainland, Djerba, Kerkennah, Galite, Lampedusa excluded),
    /// with a small margin for GPS error along the coast and borders.
    pub const TUNISIA: GeoBounds = GeoBounds {
        min_lat: 30.2,
        min_lon: 7.5,
        max_lat: 37.6,
        max_lon: 11.7,
    };

    /// The whole world: for a deployment outside Tunisia.
    pub const WORLD: GeoBounds = GeoBounds {
        min_lat: -90.0,
        min_lon: -180.0,
        max_lat: 90.0,
        max_lon: 180.0,
    };

    /// Parse `min_lat,min_lon,max_lat,max_lon` (the `BALADIYA_GEO_BOUNDS` setting).
    pub fn parse(raw: &str) -> Result<GeoBounds, DomainError> {
        let bad = || DomainError::invalid("geo_bounds", "format");
        let parts: Vec<f64> = raw
            .split(',')
            .map(|p| p.trim().parse::<f64>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let [min_lat, min_lon, max_lat, max_lon] = parts[..] else {
            return Err(bad());
        };
        let b = GeoBounds {
            min_lat,
            min_lon,
            max_lat,
            max_lon,
        };
        if !(b.min_lat < b.max_lat && b.min_lon < b.max_lon)
            || Coordinates::check_range(min_lat, min_lon).is_err()
            || Coordinates::check_range(max_lat, max_lon).is_err()
        {
            return Err(bad());
        }
        Ok(b)
    }

    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.min_lat..=self.max_lat).contains(&lat) && (self.min_lon..=self.max_lon).contains(&lon)
    }
}

impl Default for GeoBounds {
    fn default() -> Self {
        GeoBounds::TUNISIA
    }
}

/// A WGS 84 point known to be inside the deployment's [`GeoBounds`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

/// A point as a request body gives it: `{"lat", "lon"}` in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointInput {
    pub lat: f64,
    pub lon: f64,
}

impl PointInput {
    /// The point, if it lies within `bounds`.
    pub fn parse(self, bounds: &GeoBounds) -> Result<Coordinates, DomainError> {
        Coordinates::parse(self.lat, self.lon, bounds)
    }
}

impl Coordinates {
    pub fn parse(lat: f64, lon: f64, bounds: &GeoBounds) -> Result<Coordinates, DomainError> {
        Self::check_range(lat, lon)?;
        if !bounds.contains(lat, lon) {
            return Err(DomainError::invalid("location", "outside_area"));
        }
        // Six decimals are ~10 cm: more is noise and only makes items bigger.
        let round = |v: f64| (v * 1e6).round() / 1e6;
        Ok(Coordinates {
            lat: round(lat),
            lon: round(lon),
        })
    }

    fn check_range(lat: f64, lon: f64) -> Result<(), DomainError> {
        if !lat.is_finite() || !lon.is_finite() || lat.abs() > 90.0 || lon.abs() > 180.0 {
            return Err(DomainError::invalid("location", "range"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_in_tunisia_are_accepted() {
        let tunis = Coordinates::parse(36.8065, 10.1815, &GeoBounds::TUNISIA).unwrap();
        assert_eq!(tunis.lat, 36.8065);
        Coordinates::parse(33.8076, 10.8451, &GeoBounds::TUNISIA).unwrap(); // Djerba
        Coordinates::parse(32.9297, 10.4518, &GeoBounds::TUNISIA).unwrap(); // Tataouine
    }

    #[test]
    fn points_outside_are_refused_unless_configured() {
        let paris = (48.8566, 2.3522);
        assert_eq!(
            Coordinates::parse(paris.0, paris.1, &GeoBounds::TUNISIA).unwrap_err(),
            DomainError::invalid("location", "outside_area")
        );
        Coordinates::parse(paris.0, paris.1, &GeoBounds::WORLD).unwrap();
    }

    #[test]
    fn nonsense_is_refused() {
        for (lat, lon) in [
            (f64::NAN, 10.0),
            (36.0, f64::INFINITY),
            (91.0, 0.0),
            (0.0, 181.0),
        ] {
            assert_eq!(
                Coordinates::parse(lat, lon, &GeoBounds::WORLD).unwrap_err(),
                DomainError::invalid("location", "range")
            );
        }
    }

    #[test]
    fn bounds_parse() {
        let b = GeoBounds::parse("30.2, 7.5, 37.6, 11.7").unwrap();
        assert_eq!(b, GeoBounds::TUNISIA);
        for bad in [
            "",
            "1,2,3",
            "1,2,3,x",
            "37,7,30,11",
            "1,2,3,4,5",
            "-91,0,0,1",
        ] {
            assert!(GeoBounds::parse(bad).is_err(), "{bad:?}");
        }
    }
}
