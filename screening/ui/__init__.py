"""The Streamlit faces: layout and widgets only; decisions live in the core and the services."""
