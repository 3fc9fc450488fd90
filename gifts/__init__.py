"""Gift orders bound to their recipients: disclosure choices, gift receipts,
thank-you notes relayed through the site, and gift returns."""
