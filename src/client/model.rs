//! Thing models for `checkArgs`: [`Client::thing_model`] fetches a product's (`QueryThingModel`)
//! once and keeps it; a checked call has its `Args` or `Items` checked against it by the core
//! ([`crate::core::thing_model`]) before it is signed, and sent as the check wrote them.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use super::{CallOptions, Client, Error};
use crate::core::attempts::concat;
use crate::core::thing_model::{ThingModel, Violation};

/// The models fetched so far, by product key.
#[derive(Default)]
pub(crate) struct Models(RefCell<Vec<(String, Rc<ThingModel>)>>);

/// Numbers of the model and the values, read by the engine (`parseFloat` of a JSON number's
/// text gives the same value as any correct reader).
pub(crate) fn js_number(text: &str) -> Option<f64> {
    let n = js_sys::Number::parse_float(text);
    (!n.is_nan()).then_some(n)
}

/// What a checked call's `Args` or `Items` are.
#[derive(Clone, Copy)]
pub(crate) enum Checked<'a> {
    /// `Args` of the service `identifier`.
    Args(&'a str),
    /// `Items`.
    Items,
}

impl Client {
    /// A product's thing model: fetched with `QueryThingModel` the first time, then kept (for
    /// the life of the client; [`Client::forget_thing_models`] drops them).
    pub async fn thing_model(&self, product_key: &str) -> Result<Rc<ThingModel>, Error> {
        if let Some(m) = self.cached_model(product_key) {
            return Ok(m);
        }
        if product_key.is_empty() {
            return Err(Error::invalid("thingModel: productKey is required"));
        }
        let mut params = alloc::vec![("ProductKey".into(), product_key.into())];
        if let Some(id) = self.iot_instance_id() {
            params.push(("IotInstanceId".into(), id.into()));
        }
        let r = self
            .call("QueryThingModel", params, &CallOptions::default())
            .await?;
        let text = r
            .body
            .text_of(&["Data", "ThingModelJson"])
            .unwrap_or_default();
        let model = ThingModel::from_tsl_text(&text, &js_number).map_err(|e| {
            Error::invalid(concat(&[
                "thingModel: the thing model of ",
                product_key,
                " cannot be read: ",
                &e,
            ]))
        })?;
        let model = Rc::new(model);
        self.inner
            .models
            .0
            .borrow_mut()
            .push((product_key.into(), model.clone()));
        Ok(model)
    }

    /// Drops the thing models kept by [`Client::thing_model`] (after a model changed).
    pub fn forget_thing_models(&self) {
        self.inner.models.0.borrow_mut().clear();
    }

    fn cached_model(&self, product_key: &str) -> Option<Rc<ThingModel>> {
        let models = self.inner.models.0.borrow();
        models
            .iter()
            .find(|(k, _)| k == product_key)
            .map(|(_, m)| m.clone())
    }

    /// `text` checked against the model of product `pk`.
    pub(crate) async fn checked_for(
        &self,
        ctx: &str,
        pk: &str,
        what: Checked<'_>,
        text: &str,
    ) -> Result<String, Error> {
        let model = self.thing_model(pk).await?;
        let r = match what {
            Checked::Args(identifier) => model.check_args(identifier, text, &js_number),
            Checked::Items => model.check_items(text, &js_number),
        };
        r.map_err(|v| violation(ctx, what, pk, &v))
    }
}

/// A [`Violation`] as the `InvalidArgument` of a call: the parameter, what is wrong, the rule.
fn violation(ctx: &str, what: Checked<'_>, pk: &str, v: &Violation) -> Error {
    let field = match what {
        Checked::Args(_) if v.rule == "identifier" && v.parameter.is_empty() => "identifier",
        Checked::Args(_) => "args",
        Checked::Items => "items",
    };
    let mut m = concat(&[ctx, ".", field]);
    if v.rule == "identifier" && matches!(what, Checked::Args(id) if id == v.parameter) {
        m = concat(&[ctx, ".identifier: ", &v.parameter]);
    } else if !v.parameter.is_empty() {
        m.push('.');
        m.push_str(&v.parameter);
    }
    m.push_str(": ");
    m.push_str(&v.detail);
    m.push_str(&concat(&[" (thing model of ", pk, ", rule: ", v.rule, ")"]));
    Error::invalid(m)
}
