//! The `model!` macro that declares the contract's object types uniformly, and the serde
//! helpers they share.

/// Declares a schema object: every property an `Option` that is not written when absent, plus
/// `extra`, a pass-through map for properties this SDK does not model (kept when read, written
/// back when sent). Field attributes (renames, docs) pass through.
macro_rules! model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Properties this SDK does not model: kept when read and written back when sent.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
    };
}

/// `Option<Option<T>>` for nullable properties: absent is `None`, JSON `null` is `Some(None)`.
pub(crate) mod nullable {
    use serde::{Deserialize, Deserializer};

    pub(crate) fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}
