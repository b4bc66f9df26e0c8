"""The network's price list: labour items (parts are priced from the parts catalogue)."""
