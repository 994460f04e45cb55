"""The spreadsheet toolkit every room uses: safe reading of uploaded .xlsx files, safe writing of workbooks."""
