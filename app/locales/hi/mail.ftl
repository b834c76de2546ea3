# बिज़नेस एडमिन को भेजे जाने वाले ईमेल। हर ईमेल में एक विषय और कुछ पैराग्राफ़ होते हैं; { $link } और बाकी
# { $name } प्लेसहोल्डर पोर्टल भरता है। इन्हें जैसा है वैसा ही रखें।

mail-greeting = नमस्ते,
mail-signature = — { $partner }
mail-footer = आपको यह ईमेल इसलिए मिला है क्योंकि { $partner } के साइनअप पेज पर WhatsApp Business अकाउंट कनेक्ट करते समय यह पता दिया गया था।
mail-unsubscribe = ये ईमेल बंद करें: { $link }

mail-status-link-subject = { $partner } के साथ आपका WhatsApp सेटअप
mail-status-link-intro = { $partner } के साथ अपना WhatsApp Business अकाउंट कनेक्ट करने के लिए धन्यवाद। यह पेज अपने आप अपडेट होता है और मार्केटिंग मैसेज भेजने लायक होने तक सेटअप का हर स्टेप दिखाता है:
mail-status-link-keep = इस ईमेल को संभालकर रखें: इसी लिंक से आप पेज पर वापस आ सकते हैं।

mail-action-subject = आपके WhatsApp सेटअप के लिए आपकी कार्रवाई ज़रूरी है
mail-action-intro = आप मार्केटिंग मैसेज भेज सकें, इससे पहले Meta को आपसे कुछ चाहिए:
mail-action-status = आपके स्टेटस पेज पर ज़्यादा जानकारी है और वह अपने आप अपडेट होता है:

mail-action-payment = Meta Business Suite (बिलिंग और पेमेंट) में अपने WhatsApp Business अकाउंट में पेमेंट का एक मान्य तरीका जोड़ें।
mail-action-terms = Marketing Messages API की वे शर्तें स्वीकार करें जो Meta ने आपको WhatsApp Manager या Meta Business Suite में दिखाई हैं।
mail-action-reconnect = फ़ोन बदलने या फिर से रजिस्टर करने के बाद आपका WhatsApp नंबर डिस्कनेक्ट हो गया। अपने फ़ोन पर WhatsApp Business ऐप खोलें और उसे फिर से कनेक्ट करें।
mail-action-restricted = Meta ने इस अकाउंट को प्रतिबंधित कर दिया है। Meta Business Suite में Business Support Home देखें और प्रतिबंध को हल करें।

mail-ready-subject = आप WhatsApp मार्केटिंग मैसेज भेजने के लिए तैयार हैं
mail-ready-intro = आपका WhatsApp Business अकाउंट { $account } तैयार है: अब आप { $partner } के ज़रिए मार्केटिंग मैसेज भेज सकते हैं।
mail-ready-status = आपका स्टेटस पेज:
