console.log('The demo is not built yet: see README.md.');
