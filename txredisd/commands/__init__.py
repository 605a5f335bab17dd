"""
Command handlers, one module per command family.

Every module here is imported by L{txredisd.registry.loadCommands}; its
C{@command} declarations are the command table.
"""
