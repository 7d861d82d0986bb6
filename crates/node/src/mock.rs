//! A mock server's route table (`hyperhttp_core::MockRoutes`) as a JS object, and attaching
//! a client to it. One table per mock agent, shared by all the clients it serves.

use std::sync::Arc;

use hyperhttp_core::{Error, Kind, MockRoutes};
use napi::Env;
use napi_derive::napi;

use crate::{thrown, NativeClient};

/// The routes of one mock agent; see `MockRoutes` in the engine.
#[napi]
pub struct NativeMockRoutes {
    routes: Arc<MockRoutes>,
}

#[napi]
impl NativeMockRoutes {
    /// Routes to a mock server listening on `http_socket` (for `http:` origins) and
    /// `https_socket` (for `https:` origins).
    #[napi(constructor)]
    pub fn new(http_socket: String, https_socket: String) -> Self {
        NativeMockRoutes {
            routes: Arc::new(MockRoutes::new(http_socket, https_socket)),
        }
    }

    /// Lets all unmocked origins (`all`), or those of the listed hosts, reach the network.
    #[napi]
    pub fn set_net_connect(&self, all: bool, hosts: Vec<String>) {
        self.routes.set_net_connect(all, hosts);
    }

    /// Serves `origin` (`URL.origin`) from the mock server whatever is let through.
    #[napi]
    pub fn mock_origin(&self, origin: String) {
        self.routes.mock_origin(&origin);
    }

    /// Fails the next `times` connects to `origin` (all when absent) with error `code`.
    #[napi]
    pub fn fail_connect(
        &self,
        env: Env,
        origin: String,
        code: String,
        message: String,
        times: Option<u32>,
    ) -> napi::Result<()> {
        let kind = Kind::from_code(&code).ok_or_else(|| {
            let err = Error::invalid(format!("{code:?} is not a hyperhttp error code"));
            thrown::throw(&env, &err)
        })?;
        self.routes.fail_connect(&origin, kind, &message, times);
        Ok(())
    }

    /// How many connects each scripted failure has failed, in the order they were added.
    #[napi]
    pub fn connect_failures_used(&self) -> Vec<u32> {
        self.routes.connect_failures_used()
    }
}

#[napi]
impl NativeClient {
    /// Sends this client's new connections through `routes` (`null`: to the network again).
    #[napi]
    pub fn set_mock_routes(&self, routes: Option<&NativeMockRoutes>) {
        if let Some(client) = &self.client {
            client.set_mock_routes(routes.map(|r| r.routes.clone()));
        }
    }
}
