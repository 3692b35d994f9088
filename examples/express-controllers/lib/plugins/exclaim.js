module.exports = (text) => `${text}!`;
