use super::layout::Layout;
use crate::{api::get_overview, islands::OverviewLive};
use leptos::prelude::*;
use protocol::Range;

/// Overview: page-load percentiles, page views, top pages. The server renders the first
/// view; the [`OverviewLive`] island then switches ranges and refreshes every 30 s.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_overview(Range::Hour));
    view! {
        <Layout title="Overview" active="Overview">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => {
                            let initial = crate::islands::LiveOverview::from(o);
                            Ok(view! { <OverviewLive initial/> }.into_any())
                        }
                        Err(e) => Err(ServerFnError::new(e)),
                    }
                })}
            </Suspense>
        </Layout>
    }
}
