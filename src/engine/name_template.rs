//! `--name-template`: Helm's `action.TemplateName` renders the text with Go templates and Sprig's full
//! function table (no Helm functions) and nil data; errors are Go's own text.
use std::rc::Rc;

use super::backend::TemplateSet;
use crate::template::{FuncEnv, FuncTable, MissingKey, Value};

/// The release name `template` gives.
pub fn render_name_template(text: &str) -> Result<String, String> {
    let mut set = TemplateSet::new(Rc::new(FuncTable::sprig()), MissingKey::Default);
    set.parse("name-template", text)
        .map_err(|e| e.to_string())?;
    set.execute("name-template", &Value::Nil, &FuncEnv::system())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_sprig() {
        assert_eq!(
            render_name_template("x-{{ \"y\" | upper }}").unwrap(),
            "x-Y"
        );
    }
}
