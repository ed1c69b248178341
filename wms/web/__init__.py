"""Server-rendered pages: `pages` (sign-in, the overview board, and the router of all pages),
`pages_station` (/station), `pages_aftersales` (/after-sales), `pages_returns` (/returns);
`common` (templates, who is signed in, role gates) and `charts`. The unit of work per
request and the login cookie come from `wms.http`; the API (`wms.api`) is a sibling.
"""
