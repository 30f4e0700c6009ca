//! HTML mail made safe to show: cleaned with `ammonia` (no scripts, event handlers, forms
//! or frames), then served inside a sandboxed frame whose own CSP blocks every load except
//! inline images, and remote images only once the reader allows them.

use std::collections::HashSet;

/// The cleaned HTML of a message body.
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .add_generic_attributes(["style", "align", "bgcolor", "color", "width", "height"])
        .add_tag_attributes("td", ["valign", "colspan", "rowspan"])
        .add_tag_attributes("table", ["cellpadding", "cellspacing", "border"])
        .url_schemes(HashSet::from(["http", "https", "mailto", "cid", "data"]))
        .link_rel(Some("noopener noreferrer"))
        // `data:` is for inline images only: as a link it could open an HTML page of the
        // sender's making (phishing forms, scripts) outside the sandbox.
        .attribute_filter(|element, attribute, value| {
            let is_data = value
                .trim_start()
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case("data:"));
            if is_data && !(element == "img" && attribute == "src") {
                None
            } else {
                Some(value.into())
            }
        })
        .clean(html)
        .to_string()
}

/// Whether cleaned HTML would load images from the network.
pub fn has_remote_images(clean: &str) -> bool {
    let lower = clean.to_ascii_lowercase();
    lower.contains("src=\"http://")
        || lower.contains("src=\"https://")
        || lower.contains("url(http")
}

/// The Content-Security-Policy of the frame showing a message.
pub fn frame_policy(allow_remote_images: bool) -> String {
    let images = if allow_remote_images {
        "data: cid: https: http:"
    } else {
        "data: cid:"
    };
    format!(
        "default-src 'none'; img-src {images}; style-src 'unsafe-inline'; font-src data:; \
         frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"
    )
}

/// A complete document for the frame.
pub fn document(clean: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><base target=\"_blank\">\
         <style>body{{font-family:system-ui,sans-serif;margin:0;overflow-wrap:anywhere}}img{{max-width:100%;height:auto}}</style>\
         </head><body>{clean}</body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_urls_only_as_inline_images() {
        let clean = sanitize(
            "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">Open</a>\
             <a href=\" DATA:text/html,x\">Again</a><img src=\"data:image/png;base64,iVBORw0KGgo=\">",
        );
        assert!(!clean.contains("data:text"), "{clean}");
        assert!(!clean.to_ascii_lowercase().contains("data:text"), "{clean}");
        assert!(clean.contains("src=\"data:image/png"), "{clean}");
        assert!(clean.contains(">Open</a>"), "the text stays: {clean}");
    }

    #[test]
    fn xss_payloads_are_removed() {
        let payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg><script>alert(1)</script></svg>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<form action=\"https://evil.example\"><input name=p></form>",
            "<body onload=alert(1)>",
            "<a href=\"vbscript:msgbox(1)\">x</a>",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
        ];
        for p in payloads {
            let clean = sanitize(p).to_ascii_lowercase();
            for bad in [
                "<script",
                "onerror",
                "javascript:",
                "vbscript:",
                "<iframe",
                "<form",
                "onload",
                "<meta",
                "<object",
                "<embed",
            ] {
                assert!(!clean.contains(bad), "{p:?} left {bad:?} in {clean:?}");
            }
        }
    }

    #[test]
    fn keeps_layout_and_detects_remote_images() {
        let clean = sanitize(
            "<table><tr><td style=\"color:red\">Hi</td></tr></table><img src=\"https://t.example/p.gif\">",
        );
        assert!(clean.contains("style=\"color:red\""));
        assert!(has_remote_images(&clean));
        assert!(!has_remote_images(&sanitize(
            "<img src=\"data:image/png;base64,AAAA\">"
        )));
        assert!(!frame_policy(false).contains("https:"));
        assert!(frame_policy(true).contains("https:"));
    }
}
