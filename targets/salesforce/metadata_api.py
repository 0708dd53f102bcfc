"""simple-salesforce's Metadata API helper, with its zeep client built only when a call needs it.

SfdcMetadataApi parses the bundled Metadata WSDL into a zeep client as soon as it is created: over a
second of CPU, a third of a whole `diff`. Deploy, retrieve and their status checks never use that client:
they send simple-salesforce's own SOAP messages. listMetadata is sent the same way here (list_components),
so plan, diff and apply never parse the WSDL; readMetadata still goes through zeep, built on first use,
over Handrail's requests session.
"""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import simple_salesforce.metadata as sf_metadata
from simple_salesforce.metadata import SfdcMetadataApi
from simple_salesforce.util import call_salesforce

log = logging.getLogger("handrail.salesforce")
# The listMetadata request of the Metadata API WSDL (operation listMetadata: queries, asOfVersion).
LIST_METADATA = """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
xmlns:met="http://soap.sforce.com/2006/04/metadata">
<soapenv:Header><met:SessionHeader><met:sessionId>{session}</met:sessionId></met:SessionHeader></soapenv:Header>
<soapenv:Body><met:listMetadata>{queries}
<met:asOfVersion>{version}</met:asOfVersion></met:listMetadata></soapenv:Body>
</soapenv:Envelope>"""


class LazyMetadataApi(SfdcMetadataApi):
    def __init__(self, sf, headers: dict):
        # The attributes SfdcMetadataApi.__init__ sets, minus the zeep client (see the properties below).
        self.session = sf.session
        self._session_id = sf.session_id
        self._instance = sf.sf_instance
        self.metadata_url = sf.metadata_url
        self.headers = headers
        self._api_version = sf.sf_version
        self._deploy_zip = None

    @cached_property
    def _client(self):
        wsdl = Path(sf_metadata.__file__).parent / "metadata.wsdl"
        settings = sf_metadata.Settings(strict=False, xsd_ignore_sequence_order=True)
        client = sf_metadata.Client(wsdl.absolute().as_uri(), settings=settings)
        client.transport.session = self.session  # ours: its timeouts, retries and mounts
        return client

    @cached_property
    def _service(self):
        return self._client.create_service(
            "{http://soap.sforce.com/2006/04/metadata}MetadataBinding", self.metadata_url
        )

    @cached_property
    def _session_header(self):
        return self._client.get_element("ns0:SessionHeader")(sessionId=self._session_id)

    def list_components(self, type_name: str, folder: str | None = None) -> list[dict[str, str]]:
        """listMetadata for one type: each FileProperties as a dict of its fields' text."""
        return self.list_queries([(type_name, folder)])

    def list_queries(self, queries: list[tuple[str, str | None]]) -> list[dict[str, str]]:
        """listMetadata for up to three (type, folder) queries in one call; a type kept in folders (Report,
        Dashboard) is listed one folder at a time, and the API requires the folder to be named."""
        body = LIST_METADATA.format(
            session=escape(self._session_id),
            queries="".join(
                "<met:queries>"
                + (f"<met:folder>{escape(folder)}</met:folder>" if folder else "")
                + f"<met:type>{escape(type_name)}</met:type></met:queries>"
                for type_name, folder in queries
            ),
            version=escape(self._api_version),
        )
        log.debug("listMetadata request: %s", body)  # the session id is redacted by the log record factory
        # As the WSDL binds every operation (soapAction="") and zeep sends it: the body names the call.
        soap = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
        response = call_salesforce(
            url=self.metadata_url,
            method="POST",
            session=self.session,
            headers=self.headers,
            data=body.encode("utf-8"),
            additional_headers=soap,
        )
        root = ElementTree.fromstring(response.content)
        results = root.findall("soapenv:Body/mt:listMetadataResponse/mt:result", self._XML_NAMESPACES)
        return [{child.tag.rpartition("}")[2]: child.text or "" for child in result} for result in results]
