"""warmwinter: rescue management for Shanghai's winter campaign 「寒冬送温暖」."""
