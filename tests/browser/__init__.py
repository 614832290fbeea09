"""Real-browser and accessibility tests: headless Chromium driven by Playwright."""
