"""inventory views."""
