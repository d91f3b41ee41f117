"""What Fashion-MNIST is: 28x28 uint8 grayscale images of ten classes of garment.

The facts of the dataset itself, which the IDX reader checks files against and
``components.contract.features`` builds the record contract on.
"""

IMAGE_HEIGHT = 28
IMAGE_WIDTH = 28

# Class names by class id, as Zalando publishes them.
CLASS_NAMES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
NUM_CLASSES = len(CLASS_NAMES)
