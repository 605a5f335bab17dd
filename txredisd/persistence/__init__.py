"""
Persistence: the RDB codec (L{txredisd.persistence.rdb}), and the service
that loads at startup and saves (L{txredisd.persistence.service}).
"""
