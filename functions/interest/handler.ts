export const handler = async (): Promise<void> => {
  // placeholder, replaced by the real handler
};
