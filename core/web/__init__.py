"""HTTP plumbing shared by every blueprint: routing by host kind, tenancy, errors."""
