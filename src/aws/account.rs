//! The Account Management API (a global service served from us-east-1): the alternate
//! contacts of every account, read and written from the management account (trusted
//! access for `account.amazonaws.com`).

use aws_sdk_account::Client;
use aws_sdk_account::types::AlternateContactType;
use futures::{StreamExt, TryStreamExt};

use super::{AwsError, Context};
use crate::observed::{ContactSpec, ContactType};
use crate::plan::{AccountOp, Ref};

const SERVICE: &str = super::Service::Account.sdk_name();
/// Reads in flight; the pacer holds them to `GetAlternateContact`'s 10 a second.
const CONCURRENCY: usize = 8;

pub struct AccountApi {
    client: Client,
}

fn api_type(t: ContactType) -> AlternateContactType {
    match t {
        ContactType::Security => AlternateContactType::Security,
        ContactType::Billing => AlternateContactType::Billing,
        ContactType::Operations => AlternateContactType::Operations,
    }
}

/// One contact to read: the account (`None` for the management account) and the type.
pub type ContactKey = (Option<String>, ContactType);

impl AccountApi {
    pub fn new(client: Client) -> Self {
        AccountApi { client }
    }

    /// Each requested contact, `None` where the account has none of that type.
    pub async fn read_contacts(
        &self,
        keys: Vec<ContactKey>,
    ) -> Result<Vec<(ContactKey, Option<ContactSpec>)>, AwsError> {
        futures::stream::iter(keys)
            .map(|key| async move {
                let contact = self.read_contact(key.0.as_deref(), key.1).await?;
                Ok::<_, AwsError>((key, contact))
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await
    }

    pub async fn read_contact(&self, account: Option<&str>, t: ContactType) -> Result<Option<ContactSpec>, AwsError> {
        let out = match self
            .client
            .get_alternate_contact()
            .set_account_id(account.map(str::to_owned))
            .alternate_contact_type(api_type(t))
            .send()
            .await
            .ctx(SERVICE, "GetAlternateContact")
        {
            Ok(out) => out,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(out.alternate_contact().map(|c| ContactSpec {
            name: c.name().unwrap_or_default().to_owned(),
            title: c.title().unwrap_or_default().to_owned(),
            email: c.email_address().unwrap_or_default().to_owned(),
            phone: c.phone_number().unwrap_or_default().to_owned(),
        }))
    }

    pub async fn execute(
        &self,
        op: &AccountOp,
        resolve: &(dyn Fn(&Ref) -> Option<String> + Sync),
    ) -> Result<Option<String>, AwsError> {
        match op {
            AccountOp::PutAlternateContact {
                account,
                contact_type,
                contact,
            } => {
                let account = match account {
                    None => None,
                    Some(r) => Some(resolve(r).ok_or_else(|| {
                        AwsError::other(SERVICE, "PutAlternateContact", "the account was not created")
                    })?),
                };
                self.client
                    .put_alternate_contact()
                    .set_account_id(account)
                    .alternate_contact_type(api_type(*contact_type))
                    .name(&contact.name)
                    .title(&contact.title)
                    .email_address(&contact.email)
                    .phone_number(&contact.phone)
                    .send()
                    .await
                    .ctx(SERVICE, "PutAlternateContact")?;
                Ok(None)
            }
        }
    }
}
