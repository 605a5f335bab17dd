from setuptools import find_packages, setup

setup(
    name="txredisd",
    version="0.1.0",
    description="A Redis 7 compatible in-memory data server on Twisted",
    long_description=open("README.md").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(exclude=["tests*"]) + ["twisted.plugins"],
    package_data={"twisted": ["plugins/txredisd_plugin.py"]},
    python_requires=">=3.9",
    install_requires=[
        "Twisted>=22.10",
        "zope.interface>=5",
        "hiredis>=2.1",
        "sortedcontainers>=2.4",
        "lupa>=2.0",
        # CRC64 and LZF for RDB files in C; txredisd.persistence.checksums
        # has pure-Python fallbacks giving the same results.
        "anycrc>=2.0",
        "python-lzf>=0.2",
    ],
    extras_require={
        # The ssl: endpoint (--listen ssl:6380:privateKey=...).
        "tls": ["Twisted[tls]>=22.10"],
        "test": [
            "Twisted[tls]>=22.10",
            "pytest>=7",
            "pytest-twisted>=1.14",
            "pytest-timeout>=2",
            "redis>=5",
            "hypothesis>=6",
            # The embedding tests' Twisted-native client.
            "txredisapi>=1.6",
        ],
    },
    classifiers=[
        "Framework :: Twisted",
        "Programming Language :: Python :: 3",
    ],
)
