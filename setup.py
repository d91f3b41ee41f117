"""The Fashion-MNIST TFX pipeline as an installable package (installed editable by `make setup`).

Dependencies are pinned in requirements.lock, which `make setup` installs; the
ranges below only state what the code needs.
"""

from setuptools import find_packages, setup

setup(
    name="fashion-mnist-tfx",
    version="0.1.0",
    description="A production-shaped TFX pipeline for Fashion-MNIST",
    python_requires=">=3.10,<3.11",
    packages=find_packages(include=["pipeline", "pipeline.*", "components", "components.*", "data", "data.*"]),
    package_data={"data": ["schema/*.pbtxt"]},
    install_requires=[
        "tfx==1.16.0",
        "apache-beam[gcp]==2.59.0",
        "tensorflow==2.16.2",
        "tf-keras~=2.16.0",
        "tensorflow-data-validation==1.16.1",
        "tensorflow-transform==1.16.0",
        "tensorflow-model-analysis==0.47.1",
        "ml-metadata==1.16.0",
        "protobuf>=3.20.3,<3.21",
        "numpy<2",
    ],
    entry_points={
        "console_scripts": [
            "fashion-mnist-pipeline=pipeline.local.runner:main",
            "fashion-mnist-data=data.sources:main",
            "fashion-mnist-predict=pipeline.predict:main",
            "fashion-mnist-inspect=pipeline.inspection.cli:main",
            "fashion-mnist-report=pipeline.report.page:main",
        ]
    },
)
