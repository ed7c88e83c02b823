"""Company research: what a company's own website says about it, fetched politely and stored."""
