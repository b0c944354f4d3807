"""moto's server with two CloudTrail behaviours brought in line with AWS before it starts.

Started by test/support/moto-server.ts instead of the plain `moto_server`, with the same
arguments; `--stock`, or POST /moto-api/org-trail-audit/mode "stock", answers as moto does
unchanged (the tests that show the scanner on moto's own behaviour). Nothing here is the scanner's code: it is the local AWS the tests talk to.

1. ListTrails. moto lists only the calling Region's trails plus multi-Region shadows. AWS
   lists the account's trails of every Region, each with its HomeRegion (CloudTrail API
   reference, ListTrails: "Lists trails that are in the current account"; Cloud
   Conformity's audit runs it once, in us-east-1, to list every trail).
2. CloudTrail Lake. moto 5.2 has no event data stores (its server answers 500). Enough of
   CreateEventDataStore, ListEventDataStores and GetEventDataStore for the scanner, shaped
   as the API reference's EventDataStore (Status, MultiRegionEnabled, OrganizationEnabled,
   AdvancedEventSelectors; the management-events default when no selector is given).

And one change of speed, not behaviour: moto finds the account of every request's access
key by walking every account's IAM backend in every partition (moto/iam/models.py,
get_account_id_from), so each request costs time in proportion to the accounts created.
At the benchmark's 10,000 accounts that made seeding take an hour and the recording scan
run at about 270 accounts a minute. An index of the keys answers the same lookup at once.
"""

import json
import sys

from moto.cloudtrail import models, responses
from moto.core.exceptions import JsonRESTError
from moto.iam import models as iam_models
from moto.moto_api._internal import urls as moto_urls
from moto.server import main

STOCK = "--stock" in sys.argv
if STOCK:
    sys.argv.remove("--stock")

DEFAULT_SELECTORS = [
    {"Name": "Default management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
]


def list_trails(self):
    trails = []
    for backend in models.cloudtrail_backends[self.account_id].values():
        trails.extend(backend.trails.values())
    return trails


def stores(backend):
    if not hasattr(backend, "event_data_stores"):
        backend.event_data_stores = {}
    return backend.event_data_stores


def create_event_data_store(self):
    backend = self.cloudtrail_backend
    name = self._get_param("Name")
    arn = f"arn:aws:cloudtrail:{self.region}:{self.current_account}:eventdatastore/{name}"
    store = {
        "EventDataStoreArn": arn,
        "Name": name,
        "Status": "ENABLED" if self._get_param("StartIngestion", True) else "STOPPED_INGESTION",
        "AdvancedEventSelectors": self._get_param("AdvancedEventSelectors") or DEFAULT_SELECTORS,
        "MultiRegionEnabled": self._get_param("MultiRegionEnabled", True),
        "OrganizationEnabled": self._get_param("OrganizationEnabled", False),
        "RetentionPeriod": self._get_param("RetentionPeriod", 2557),
        "TerminationProtectionEnabled": self._get_param("TerminationProtectionEnabled", True),
    }
    stores(backend)[arn] = store
    return json.dumps(store)


def list_event_data_stores(self):
    listed = [
        {key: store[key] for key in ("EventDataStoreArn", "Name")}
        for store in stores(self.cloudtrail_backend).values()
    ]
    return json.dumps({"EventDataStores": listed})


def get_event_data_store(self):
    wanted = self._get_param("EventDataStore")
    for store in stores(self.cloudtrail_backend).values():
        if wanted in (store["EventDataStoreArn"], store["Name"]):
            return json.dumps(store)
    raise JsonRESTError("EventDataStoreNotFoundException", f"The specified event data store {wanted} was not found.")


# Access key -> account, filled where moto creates keys: IAMBackend.create_access_key and
# create_temp_access_key are the only places that add to an account's access_keys. A hit is
# checked against that account's backend, so a deleted key or a reset falls back to moto's
# answer for a key no account holds (its default account).
key_accounts = {}


def indexed_account_id_from(access_key):
    account_id = key_accounts.get(access_key)
    if account_id is not None:
        backends = iam_models.iam_backends[account_id]
        if any(access_key in backends[partition].access_keys for partition in list(backends.keys())):
            return account_id
    return iam_models.DEFAULT_ACCOUNT_ID


def indexing_keys(create):
    def created(self, *args, **kwargs):
        key = create(self, *args, **kwargs)
        key_accounts[key.physical_resource_id] = self.account_id
        return key

    return created


# Whether the two behaviours are aligned with AWS, switchable at run time so that one server
# per test worker serves both kinds of test file: POST /moto-api/org-trail-audit/mode with
# the body "stock" or "aligned". The key index only changes speed: it is always on.
ALIGNED = {"on": not STOCK}


def aligned_or_stock(aligned, stock):
    def chosen(self, *args, **kwargs):
        if ALIGNED["on"]:
            return aligned(self, *args, **kwargs)
        if stock is None:
            raise JsonRESTError("UnknownOperationException", "moto as installed has no such operation")
        return stock(self, *args, **kwargs)

    return chosen


def set_mode(request, full_url, headers):
    body = request.data.decode() if isinstance(request.data, bytes) else str(request.data or "")
    if request.method != "POST" or body not in ("stock", "aligned"):
        return 400, {}, json.dumps({"Error": 'POST "stock" or "aligned"'})
    ALIGNED["on"] = body == "aligned"
    return 200, {}, json.dumps({"mode": body})


iam_models.get_account_id_from = indexed_account_id_from
iam_models.IAMBackend.create_access_key = indexing_keys(iam_models.IAMBackend.create_access_key)
iam_models.IAMBackend.create_temp_access_key = indexing_keys(iam_models.IAMBackend.create_temp_access_key)
models.CloudTrailBackend.list_trails = aligned_or_stock(list_trails, models.CloudTrailBackend.list_trails)
for name, aligned in (
    ("create_event_data_store", create_event_data_store),
    ("list_event_data_stores", list_event_data_stores),
    ("get_event_data_store", get_event_data_store),
):
    setattr(
        responses.CloudTrailResponse,
        name,
        aligned_or_stock(aligned, getattr(responses.CloudTrailResponse, name, None)),
    )
moto_urls.url_paths["{0}/moto-api/org-trail-audit/mode$"] = set_mode

if __name__ == "__main__":
    sys.exit(main())
