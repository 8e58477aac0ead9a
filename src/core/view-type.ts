/** Stream view types and the spellings users may type for them. */
export const VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"] as const;
export type ViewType = (typeof VIEW_TYPES)[number];

const ALIASES: Record<string, ViewType> = {
  keys_only: "KEYS_ONLY",
  "keys-only": "KEYS_ONLY",
  keys: "KEYS_ONLY",
  new_image: "NEW_IMAGE",
  "new-image": "NEW_IMAGE",
  new: "NEW_IMAGE",
  old_image: "OLD_IMAGE",
  "old-image": "OLD_IMAGE",
  old: "OLD_IMAGE",
  new_and_old_images: "NEW_AND_OLD_IMAGES",
  "new-and-old-images": "NEW_AND_OLD_IMAGES",
  "new-and-old": "NEW_AND_OLD_IMAGES",
  new_and_old: "NEW_AND_OLD_IMAGES",
  both: "NEW_AND_OLD_IMAGES",
};

/** Parses a view type in any accepted spelling (case-insensitive); undefined when unknown. */
export function parseViewType(text: string): ViewType | undefined {
  return ALIASES[text.trim().toLowerCase()];
}
