module.exports = (text) => text.trim();
