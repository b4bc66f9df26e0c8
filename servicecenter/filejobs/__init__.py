"""Files made in the background: bulk label PDFs and large exports, with progress and a download."""
