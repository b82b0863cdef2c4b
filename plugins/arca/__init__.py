"""ArCa: card payments through ArCa's iPay/vPOS gateway, Armenia. See docs/arca.md."""
