"""The XMP metadata of a PDF/UA document: its languages, its title, the pdfuaid claim."""

from __future__ import annotations

import pikepdf
from lxml import etree
from pikepdf import Name

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}


def write_xmp(document: pikepdf.Pdf, article_langs: tuple[str, ...], claim: bool) -> None:
    """dc:language (the document's, then its versions'), dc:title, and pdfuaid:part=1 when
    claimed; a PDF/A gets the extension schema PDF/A requires for pdfuaid. Nothing else is
    touched: the archive checks pdfaid and /Lang, and PDF/A needs the XMP to agree with /Info."""
    langs = list(dict.fromkeys(
        lang for lang in (str(document.Root.get("/Lang", "")), *article_langs) if lang))
    stream = document.Root.get("/Metadata")
    head, tail = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n', \
        b'\n<?xpacket end="r"?>'
    body = None
    if isinstance(stream, pikepdf.Stream):
        data = stream.read_bytes()
        start, end = data.find(b"<x:xmpmeta"), data.rfind(b"</x:xmpmeta>")
        if start >= 0 and end > start:
            head, tail = data[:start], data[end + len(b"</x:xmpmeta>"):]
            body = data[start:end + len(b"</x:xmpmeta>")]
    if body is None:
        body = _new_xmp(document)
    xmpmeta = etree.fromstring(body)
    rdf = xmpmeta.find("rdf:RDF", NS)

    def description() -> etree._Element:
        element = etree.SubElement(rdf, f"{{{NS['rdf']}}}Description", nsmap={
            key: NS[key] for key in ("rdf", "dc", "pdfuaid")})
        element.set(f"{{{NS['rdf']}}}about", "")
        return element

    for old in rdf.iterfind(".//dc:language", NS):
        old.getparent().remove(old)
    if langs:
        bag = etree.SubElement(etree.SubElement(description(), f"{{{NS['dc']}}}language"),
                               f"{{{NS['rdf']}}}Bag")
        for lang in langs:
            etree.SubElement(bag, f"{{{NS['rdf']}}}li").text = lang
    if not rdf.findall(".//dc:title", NS):
        title = str(document.docinfo.get("/Title", ""))
        alt = etree.SubElement(etree.SubElement(description(), f"{{{NS['dc']}}}title"),
                               f"{{{NS['rdf']}}}Alt")
        item = etree.SubElement(alt, f"{{{NS['rdf']}}}li")
        item.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")
        item.text = title
    if claim:
        description().set(f"{{{NS['pdfuaid']}}}part", "1")
        is_pdfa = any(element.get(f"{{{NS['pdfaid']}}}part") for element in rdf) or \
            rdf.find(".//pdfaid:part", NS) is not None
        if is_pdfa:
            rdf.append(etree.fromstring(PDFUA_EXTENSION_SCHEMA))
    document.Root.Metadata = document.make_stream(
        head + etree.tostring(xmpmeta, encoding="utf-8") + tail,
        Type=Name.Metadata, Subtype=Name.XML)


def _new_xmp(document: pikepdf.Pdf) -> bytes:
    """An XMP packet from /Info, for a PDF WeasyPrint wrote without one (any but PDF/A)."""
    info = document.docinfo
    xmpmeta = etree.Element(f"{{{NS['x']}}}xmpmeta", nsmap={"x": NS["x"]})
    rdf = etree.SubElement(xmpmeta, f"{{{NS['rdf']}}}RDF", nsmap={
        key: NS[key] for key in ("rdf", "dc", "pdf", "xmp")})
    about = etree.SubElement(rdf, f"{{{NS['rdf']}}}Description")
    about.set(f"{{{NS['rdf']}}}about", "")
    for key, tag, container in (("/Title", "dc:title", "Alt"), ("/Author", "dc:creator", "Seq"),
                                ("/Subject", "dc:description", "Alt")):
        if str(info.get(key, "")).strip():
            prefix, name = tag.split(":")
            holder = etree.SubElement(etree.SubElement(about, f"{{{NS[prefix]}}}{name}"),
                                      f"{{{NS['rdf']}}}{container}")
            item = etree.SubElement(holder, f"{{{NS['rdf']}}}li")
            if container == "Alt":
                item.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")
            item.text = str(info[key])
    for key, tag in (("/Producer", "pdf:Producer"), ("/Keywords", "pdf:Keywords"),
                     ("/Creator", "xmp:CreatorTool")):
        if str(info.get(key, "")).strip():
            prefix, name = tag.split(":")
            etree.SubElement(about, f"{{{NS[prefix]}}}{name}").text = str(info[key])
    return etree.tostring(xmpmeta, encoding="utf-8")


# PDF/A accepts only the XMP properties it predefines or that an extension schema describes.
PDFUA_EXTENSION_SCHEMA = f"""\
<rdf:Description xmlns:rdf="{NS['rdf']}" xmlns:pdfaExtension="{NS['pdfaExtension']}"
    xmlns:pdfaSchema="{NS['pdfaSchema']}" xmlns:pdfaProperty="{NS['pdfaProperty']}"
    rdf:about="">
  <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>{NS['pdfuaid']}</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
      <pdfaProperty:name>part</pdfaProperty:name>
      <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
      <pdfaProperty:category>internal</pdfaProperty:category>
      <pdfaProperty:description>Part of ISO 14289 (PDF/UA) the document conforms to\
</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
  </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>"""
