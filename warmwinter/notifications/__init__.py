"""In-app notifications for staff, with SMS as a pluggable seam."""
